import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMatrixError } from "../../homeserver/errors.js";
import type { SigningKey } from "../../homeserver/crypto/signing-key.js";
import type { ServerKeys } from "../../homeserver/federation-keys/server-keys.js";
import { verifySignedJsonWith } from "../../homeserver/federation-keys/verify-signed-json.js";
import { namedKey } from "../../homeserver/federation-keys/testing.js";
import { formatXMatrix, parseXMatrix, signRequest } from "../x-matrix.js";
import { installFederationAuth, requireFederationOrigin } from "./federation-auth.js";

const k1 = namedKey("k1");
const k2 = namedKey("k2");
const known = new Map<string, SigningKey>([["ed25519:k1", k1], ["ed25519:k2", k2]]);

// Only "origin.example" has keys; every other origin is unknown.
const serverKeys: ServerKeys = {
  getVerifyKey: async (server, keyId) => (server === "origin.example" ? known.get(keyId)?.publicKey : undefined),
  verifySignedJson(object, server, minimum) {
    return verifySignedJsonWith(this.getVerifyKey, object, server, minimum);
  },
};

describe("federation request authentication", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      if (isMatrixError(error)) return reply.status(error.status).send(error.toJSON());
      return reply.status(500).send({ error: String(error) });
    });
    installFederationAuth(app, { serverName: "us.example", serverKeys, clock: { now: () => 0 } });
    app.put("/_matrix/federation/v1/thing/:id", async (request) => ({ origin: requireFederationOrigin(request) }));
    app.get("/_matrix/federation/v1/open", { config: { federationAuth: false } }, async (request) => ({ origin: request.federationOrigin ?? null }));
    app.get("/_matrix/key/v2/elsewhere", async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  const sign = (key: SigningKey, overrides: Partial<Parameters<typeof signRequest>[0]> = {}) =>
    signRequest({ method: "PUT", uri: "/_matrix/federation/v1/thing/1", origin: "origin.example", destination: "us.example", content: { a: 1 }, signingKey: key, ...overrides });

  // Node's http keeps only the first Authorization header in `headers`; the array reaches rawHeaders intact.
  const put = (authorization: string | string[] | undefined) =>
    app.inject({
      method: "PUT",
      url: "/_matrix/federation/v1/thing/1",
      payload: { a: 1 },
      headers: (authorization === undefined ? {} : { authorization }) as Record<string, string>,
    });

  it("exposes the authenticated origin to the handler", async () => {
    const response = await put(sign(k1));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ origin: "origin.example" });
  });

  it("accepts one Authorization header per signing key, and unquoted parameters", async () => {
    expect((await put([sign(k1), sign(k2)])).statusCode).toBe(200);
    const unquoted = parseXMatrix(sign(k1))!;
    expect((await put(`X-Matrix origin=${unquoted.origin},key=${unquoted.key},sig=${unquoted.sig}`)).statusCode).toBe(200);
  });

  it("refuses when any of several signatures by known keys fails", async () => {
    const bad = formatXMatrix({ ...parseXMatrix(sign(k2))!, sig: parseXMatrix(sign(k1))!.sig });
    expect((await put([sign(k1), bad])).statusCode).toBe(401);
  });

  it("refuses headers naming different origins, and a destination that is not us", async () => {
    const other = formatXMatrix({ ...parseXMatrix(sign(k2))!, origin: "other.example" });
    expect((await put([sign(k1), other])).json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
    expect((await put(sign(k1, { destination: "them.example" }))).json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
  });

  it("answers 401 M_UNAUTHORIZED when the header is missing, malformed, or from an unknown server", async () => {
    for (const header of [undefined, "X-Matrix origin=origin.example", "Bearer x", sign(namedKey("k1"), { origin: "stranger.example" })]) {
      const response = await put(header);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
    }
  });

  it("leaves routes that opt out, and non-federation paths, unauthenticated", async () => {
    expect((await app.inject({ method: "GET", url: "/_matrix/federation/v1/open" })).json()).toEqual({ origin: null });
    expect((await app.inject({ method: "GET", url: "/_matrix/key/v2/elsewhere" })).statusCode).toBe(200);
  });
});
