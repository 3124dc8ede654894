import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors } from "../../homeserver/errors.js";
import type { Requester } from "../../homeserver/users/requester.js";
import type { ClientRoute } from "../../schemas/client/client-route.js";
import { defineCheckedRoute, defineRoute, type RouteGuards } from "./define-route.js";
import { installErrorHandling } from "../../homeserver/app/http/error-handler.js";
import { installJsonBodyParser } from "../../homeserver/app/http/json-body.js";
import { installValidation } from "../../homeserver/app/http/validation.js";

const alice: Requester = { userId: "@alice:test.local", deviceId: "A", isAdmin: false, tokenHash: "h" };

/** Two tokens: "good", and "stale", which has expired (it passes only with allowExpired). */
const authenticator: RouteGuards["authenticator"] = {
  authenticate: async (token, options) => {
    if (token === "good" || (token === "stale" && options?.allowExpired)) return alice;
    throw errors.unknownToken(token === "stale" ? "Access token has expired" : undefined, token === "stale");
  },
};

const echo = { type: "object", required: ["word"], properties: { word: { type: "string" } } } as const;
const requiredRoute: ClientRoute<"required", { params: { word: string }; body: { word: string } }> = {
  method: "PUT",
  path: "/t/required/:word",
  auth: "required",
  rateLimited: true,
  params: echo,
  body: echo,
};
const expiredRoute: ClientRoute<"expired-allowed", { response: { user: string } }> = { method: "POST", path: "/t/expired", auth: "expired-allowed", rateLimited: false };
const optionalRoute: ClientRoute<"optional", { query: { word: string } }> = { method: "GET", path: "/t/optional", auth: "optional", rateLimited: true, query: echo };
const noneRoute: ClientRoute<"none"> = { method: "GET", path: "/t/none", auth: "none", rateLimited: false };
const checkedRoute: ClientRoute<"required", { params: { word: string } }> = { method: "PUT", path: "/t/checked/:word", auth: "required", rateLimited: true, params: echo };

describe("defineRoute registers a route description with its handler", () => {
  let app: FastifyInstance;
  const limited: string[] = [];
  beforeAll(async () => {
    app = Fastify();
    installValidation(app);
    installJsonBodyParser(app);
    installErrorHandling(app, { error: () => {} });
    const guards: RouteGuards = { authenticator, rateLimit: (key) => void limited.push(key) };
    defineRoute(app, guards, requiredRoute, async ({ params, body }, requester) => ({ params: params.word, body: body.word, user: requester.userId }));
    defineRoute(app, guards, expiredRoute, async (_request, requester) => ({ user: requester.userId }));
    defineRoute(app, guards, optionalRoute, async ({ query }, requester) => ({ word: query.word, user: requester?.userId ?? null }));
    defineRoute(app, guards, noneRoute, async (_request, requester) => ({ requester: requester ?? null }));
    defineCheckedRoute(
      app,
      guards,
      checkedRoute,
      ({ params }) => {
        if (params.word === "refused") throw errors.forbidden("refused by the route's own check");
      },
      async ({ params }, requester) => ({ word: params.word, user: requester.userId }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("hands the handler the validated params and body and the authenticated requester, and limits by user", async () => {
    limited.length = 0;
    const response = await app.inject({ method: "PUT", url: "/t/required/hello", headers: bearer("good"), payload: { word: "there" } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ params: "hello", body: "there", user: alice.userId });
    expect(limited).toEqual([alice.userId]);
  });

  it("answers a required token's absence with 401 M_MISSING_TOKEN and an expired one with M_UNKNOWN_TOKEN, soft_logout", async () => {
    const missing = await app.inject({ method: "PUT", url: "/t/required/hello", payload: { word: "there" } });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().errcode).toBe("M_MISSING_TOKEN");
    const stale = await app.inject({ method: "PUT", url: "/t/required/hello", headers: bearer("stale"), payload: { word: "there" } });
    expect(stale.statusCode).toBe(401);
    expect(stale.json()).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: true });
  });

  it("validates before it authenticates: a malformed body is 400 M_BAD_JSON whatever the token", async () => {
    const response = await app.inject({ method: "PUT", url: "/t/required/hello", payload: { word: 1 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_BAD_JSON");
  });

  it("lets an expired token through where the description allows it (logout)", async () => {
    const response = await app.inject({ method: "POST", url: "/t/expired", headers: bearer("stale") });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user: alice.userId });
  });

  it("with an optional token: none is fine and limited by IP, a bad one is 401, a good one names the user", async () => {
    limited.length = 0;
    const anonymous = await app.inject({ method: "GET", url: "/t/optional?word=hi", remoteAddress: "192.0.2.7" });
    expect(anonymous.json()).toEqual({ word: "hi", user: null });
    expect(limited).toEqual(["192.0.2.7"]);
    expect((await app.inject({ method: "GET", url: "/t/optional?word=hi", headers: bearer("wrong") })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/t/optional?word=hi", headers: bearer("good") })).json()).toEqual({ word: "hi", user: alice.userId });
  });

  it("without auth a token is not even looked at, and a route that is not rate limited takes no token", async () => {
    limited.length = 0;
    const response = await app.inject({ method: "GET", url: "/t/none", headers: bearer("wrong") });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ requester: null });
    expect(limited).toEqual([]);
  });

  it("runs a checked route's own checks after authentication and before the rate limit, which a refused request never reaches", async () => {
    limited.length = 0;
    expect((await app.inject({ method: "PUT", url: "/t/checked/refused" })).statusCode).toBe(401);
    const refused = await app.inject({ method: "PUT", url: "/t/checked/refused", headers: bearer("good") });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errcode).toBe("M_FORBIDDEN");
    expect(limited).toEqual([]);
    const accepted = await app.inject({ method: "PUT", url: "/t/checked/fine", headers: bearer("good") });
    expect(accepted.json()).toEqual({ word: "fine", user: alice.userId });
    expect(limited).toEqual([alice.userId]);
  });
});
