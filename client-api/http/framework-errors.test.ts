import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../homeserver/core/logger.js";
import { answerFrameworkError, installErrorHandling } from "../../homeserver/app/http/error-handler.js";

// Fastify answers these URLs before routing, so only the `frameworkErrors` server option can shape the reply;
// homeserver/app/http-app.ts passes answerFrameworkError there (found by homeserver/app/fuzz/).
describe("URLs Fastify refuses before routing are answered as Matrix errors", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ frameworkErrors: answerFrameworkError, routerOptions: { maxParamLength: 1024 } });
    installErrorHandling(app, silentLogger);
    app.get("/_matrix/client/v3/rooms/:roomId/state", async () => ({}));
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([
    ["invalid UTF-8", "%C3%28"],
    ["truncated UTF-8", "%E2%82"],
    ["an encoded lone surrogate", "%ED%A0%80"],
    ["a bad escape", "%ZZ"],
    ["a lone %", "%"],
  ])("a path parameter of %s is 400 M_INVALID_PARAM", async (_name, segment) => {
    const response = await app.inject({ method: "GET", url: `/_matrix/client/v3/rooms/${segment}/state` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_INVALID_PARAM", error: expect.any(String) });
  });

  it("a path parameter longer than any Matrix id is 400 M_INVALID_PARAM", async () => {
    const response = await app.inject({ method: "GET", url: `/_matrix/client/v3/rooms/${"a".repeat(10_000)}/state` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_INVALID_PARAM", error: expect.any(String) });
  });
});
