import { beforeAll, describe, expect, it, vi } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { decodeBase64, encodeUnpaddedBase64 } from "../../../homeserver/crypto/base64.js";
import { verifyJsonSignature } from "../../../homeserver/crypto/signed-json.js";
import { createFederationKeyServices } from "../../../homeserver/federation-keys/index.js";
import { parseServerKeyResponse } from "../../../homeserver/federation-keys/key-response.js";
import { makeKeyResponse, namedKey } from "../../../homeserver/federation-keys/testing.js";
import type { ServerKeyResponse } from "../../../schemas/federation/keys/get-server-key.js";

const DAY = 86_400_000;
// An address in a blocked private range: a refetch fails at once, without touching the network.
const OFFLINE = "10.255.255.1:8448";

describe.each(testDrivers())("key endpoints (%s)", (driver) => {
  let now = 1_700_000_000_000;
  const old = namedKey("old");
  const remoteKey = namedKey("remote");
  const { app } = useTestApp(driver, {
    config: {
      server_name: "us.example",
      old_signing_keys: { "ed25519:old": { key: encodeUnpaddedBase64(old.publicKey), expired_ts: 1234 } },
      federation: { key_validity_period_ms: DAY },
    },
    clock: { now: () => now },
  });
  beforeAll(async () => {
    const response = makeKeyResponse(OFFLINE, remoteKey, now + DAY);
    await createFederationKeyServices(app.ctx, app.ctx.stores.serverKeys).keyCache.storeResponse(parseServerKeyResponse(response, OFFLINE, now), response, OFFLINE, now);
  });

  const ours = () => ({ keyId: app.ctx.signingKey.keyId, publicKey: app.ctx.signingKey.publicKey });

  it("GET /_matrix/key/v2/server publishes our key and old keys, valid for the configured period, self-signed", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/key/v2/server" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/application\/json/);
    const body = response.json() as ServerKeyResponse;
    expect(body).toMatchObject({
      server_name: "us.example",
      verify_keys: { [ours().keyId]: { key: encodeUnpaddedBase64(ours().publicKey) } },
      old_verify_keys: { "ed25519:old": { key: encodeUnpaddedBase64(old.publicKey), expired_ts: 1234 } },
      valid_until_ts: now + DAY,
    });
    expect(verifyJsonSignature(body, "us.example", ours().keyId, decodeBase64(body.verify_keys[ours().keyId].key))).toBe(true);
  });

  it("also answers the deprecated /_matrix/key/v2/server/{keyId} form", async () => {
    const response = await app.http.inject({ method: "GET", url: `/_matrix/key/v2/server/${encodeURIComponent(ours().keyId)}` });
    expect(response.json()).toMatchObject({ server_name: "us.example" });
  });

  it("as a notary, answers for itself with its own signed keys", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: { server_keys: { "us.example": {} } } });
    expect(response.statusCode).toBe(200);
    const [keys] = (response.json() as { server_keys: ServerKeyResponse[] }).server_keys;
    expect(keys.server_name).toBe("us.example");
    expect(verifyJsonSignature(keys, "us.example", ours().keyId, ours().publicKey)).toBe(true);
  });

  it("as a notary, serves a cached response with the origin's signature and its own added", async () => {
    for (const request of [
      { method: "POST" as const, url: "/_matrix/key/v2/query", payload: { server_keys: { [OFFLINE]: { "ed25519:remote": {} } } } },
      { method: "GET" as const, url: `/_matrix/key/v2/query/${encodeURIComponent(OFFLINE)}` },
      { method: "GET" as const, url: `/_matrix/key/v2/query/${encodeURIComponent(OFFLINE)}/${encodeURIComponent("ed25519:remote")}` },
    ]) {
      const response = await app.http.inject(request);
      expect(response.statusCode).toBe(200);
      const answers = (response.json() as { server_keys: ServerKeyResponse[] }).server_keys;
      expect(answers).toHaveLength(1);
      expect(verifyJsonSignature(answers[0], OFFLINE, "ed25519:remote", remoteKey.publicKey)).toBe(true);
      expect(verifyJsonSignature(answers[0], "us.example", ours().keyId, ours().publicKey)).toBe(true);
    }
  });

  it("keeps serving the last known response when a server asked to be valid longer cannot be reached", async () => {
    const response = await app.http.inject({
      method: "POST",
      url: "/_matrix/key/v2/query",
      payload: { server_keys: { [OFFLINE]: { "ed25519:remote": { minimum_valid_until_ts: now + 30 * DAY } } } },
    });
    expect((response.json() as { server_keys: ServerKeyResponse[] }).server_keys).toHaveLength(1);
  });

  it("GET /_matrix/key/v2/query/{serverName} answers for itself with its own keys, signed by itself", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/key/v2/query/us.example" });
    expect(response.statusCode).toBe(200);
    const answers = (response.json() as { server_keys: ServerKeyResponse[] }).server_keys;
    expect(answers).toHaveLength(1);
    expect(answers[0].verify_keys[ours().keyId]).toEqual({ key: encodeUnpaddedBase64(ours().publicKey) });
    expect(verifyJsonSignature(answers[0], "us.example", ours().keyId, ours().publicKey)).toBe(true);
  });

  describe("a malformed server name", () => {
    const malformed = ["bad\u0000name.example", "\u0000", "has space.example", "under_score.example", "example.org:99999", "example.org:port", "[::1", "[not-ipv6]:8448", "a".repeat(256)];

    it.each(malformed)("in GET /_matrix/key/v2/query/{serverName} (%j) gets 400 M_INVALID_PARAM and no outgoing request", async (name) => {
      const request = vi.spyOn(app.ctx.federation.client, "request");
      try {
        for (const url of [`/_matrix/key/v2/query/${encodeURIComponent(name)}`, `/_matrix/key/v2/query/${encodeURIComponent(name)}/${encodeURIComponent("ed25519:a")}`]) {
          const response = await app.http.inject({ method: "GET", url });
          expect(response.statusCode).toBe(400);
          expect(response.json()).toMatchObject({ errcode: "M_INVALID_PARAM" });
        }
        expect(request).not.toHaveBeenCalled();
      } finally {
        request.mockRestore();
      }
    });

    it("or key id in a query is never looked up or fetched: GET answers 400, POST leaves it out", async () => {
      const request = vi.spyOn(app.ctx.federation.client, "request");
      try {
        const badKey = await app.http.inject({ method: "GET", url: `/_matrix/key/v2/query/${encodeURIComponent(OFFLINE)}/${encodeURIComponent("ed25519:no spaces")}` });
        expect(badKey.statusCode).toBe(400);
        expect(badKey.json()).toMatchObject({ errcode: "M_INVALID_PARAM" });
        const post = await app.http.inject({
          method: "POST",
          url: "/_matrix/key/v2/query",
          // (U+0000 cannot reach the notary in a JSON body: the body parser refuses it with M_BAD_JSON.)
          payload: { server_keys: Object.fromEntries([...malformed.filter((n) => !n.includes("\u0000")).map((name) => [name, {}]), [OFFLINE, { "not a key id": {} }]]) },
        });
        expect(post.statusCode).toBe(200);
        expect(post.json()).toEqual({ server_keys: [] });
        expect(request).not.toHaveBeenCalled();
      } finally {
        request.mockRestore();
      }
    });
  });

  it("returns nothing for a server it has never reached, and nothing for an empty query", async () => {
    const unknown = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: { server_keys: { "10.255.255.2:8448": {} } } });
    expect(unknown.json()).toEqual({ server_keys: [] });
    const empty = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: { server_keys: {} } });
    expect(empty.json()).toEqual({ server_keys: [] });
  });

  it("rejects a malformed query with 400 M_BAD_JSON / M_NOT_JSON", async () => {
    const missing = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ errcode: "M_BAD_JSON" });
    const wrong = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: { server_keys: { x: { "ed25519:a": { minimum_valid_until_ts: "soon" } } } } });
    expect(wrong.json()).toMatchObject({ errcode: "M_BAD_JSON" });
    const notJson = await app.http.inject({ method: "POST", url: "/_matrix/key/v2/query", payload: "{", headers: { "content-type": "application/json" } });
    expect(notJson.json()).toMatchObject({ errcode: "M_NOT_JSON" });
  });

  it("answers unknown federation endpoints 404 M_UNRECOGNIZED, not 401", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/federation/v1/no-such-thing" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });

  it("re-signs our key response once half its validity has passed", async () => {
    const before = (await app.http.inject({ method: "GET", url: "/_matrix/key/v2/server" })).json() as ServerKeyResponse;
    now += DAY / 2 + 1;
    const after = (await app.http.inject({ method: "GET", url: "/_matrix/key/v2/server" })).json() as ServerKeyResponse;
    expect(after.valid_until_ts).toBe(now + DAY);
    expect(after.valid_until_ts).toBeGreaterThan(before.valid_until_ts);
  });
});
