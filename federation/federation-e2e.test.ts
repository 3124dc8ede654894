import { createServer } from "node:net";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { request as undiciRequest } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../homeserver/app/test-app.js";
import { buildHttpApp } from "../homeserver/app/http-app.js";
import { generateDevCertificate } from "../homeserver/app/dev-certificate.js";
import { createFederationKeyServices } from "../homeserver/federation-keys/index.js";
import { decodeBase64 } from "../homeserver/crypto/base64.js";
import { verifyJsonSignature } from "../homeserver/crypto/signed-json.js";
import { generateSigningKey } from "../homeserver/crypto/signing-key.js";
import { makeKeyResponse, namedKey } from "../homeserver/federation-keys/testing.js";
import type { KeyQueryResponse } from "../schemas/federation/keys/query-keys.js";
import { createFederationServices } from "./services.js";
import { signRequest } from "./x-matrix.js";
import { FederationConnectionError } from "./client/errors.js";
import { requireFederationOrigin } from "./auth/federation-auth.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Loopback peers: the allowlist opens 127.0.0.0/8 only, and plain http is the tests-only switch.
const LOOPBACK_FEDERATION = { ip_range_allowlist: ["127.0.0.0/8"], allow_insecure_http_for_tests: true };
const ECHO = "/_matrix/federation/unstable/org.myelin.test/echo";

interface Peer {
  app: TestApp;
  name: string;
  port: number;
  http: FastifyInstance;
}

async function startPeer(driver: Parameters<typeof createTestApp>[0], https?: { cert: Buffer; key: Buffer }, federation: Record<string, unknown> = LOOPBACK_FEDERATION): Promise<Peer> {
  const port = await freePort();
  const name = `127.0.0.1:${port}`;
  const app = await createTestApp(driver, { server_name: name, federation });
  const http = buildHttpApp(app.ctx, { resources: ["federation"], https });
  // A stand-in for later federation routes: authenticated because of its path alone.
  http.route({
    method: ["GET", "PUT"],
    url: `${ECHO}/:id`,
    handler: async (request) => ({ origin: requireFederationOrigin(request), id: (request.params as { id: string }).id, query: request.query, body: request.body ?? null }),
  });
  await http.listen({ port, host: "127.0.0.1" });
  return { app, name, port, http };
}

async function stopPeer(peer: Peer | undefined): Promise<void> {
  if (!peer) return;
  await peer.http.close();
  await peer.app.dispose();
}

describe.each(testDrivers())("two servers on loopback (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
  });
  afterAll(async () => {
    await Promise.all([stopPeer(a), stopPeer(b)]);
  });

  it("A fetches B's keys over HTTP and checks B's self-signature", async () => {
    const key = await a.app.ctx.serverKeys.getVerifyKey(b.name, b.app.ctx.signingKey.keyId, Date.now());
    expect(key).toEqual(b.app.ctx.signingKey.publicKey);
  });

  it("A makes signed requests that B authenticates as coming from A (body and query included)", async () => {
    const client = a.app.ctx.federation.client;
    const put = await client.put<Record<string, unknown>>(b.name, `${ECHO}/x%2Fy`, { hello: ["w", 1] }, { query: { q: "a b&c", n: 2 } });
    expect(put).toEqual({ origin: a.name, id: "x/y", query: { q: "a b&c", n: "2" }, body: { hello: ["w", 1] } });
    const get = await client.get<Record<string, unknown>>(b.name, `${ECHO}/1`, { list: ["1", "2"] });
    expect(get).toMatchObject({ origin: a.name, id: "1", body: null });
  });

  async function rawRequest(path: string, headers: Record<string, string> = {}, method: "GET" | "PUT" = "GET", body?: unknown) {
    const response = await undiciRequest(`http://${b.name}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
  }

  const header = (overrides: Partial<Parameters<typeof signRequest>[0]> = {}) =>
    signRequest({ method: "GET", uri: `${ECHO}/1`, origin: a.name, destination: b.name, signingKey: a.app.ctx.signingKey, ...overrides });

  it("accepts a request signed by hand with A's key, as another implementation would send it", async () => {
    expect(await rawRequest(`${ECHO}/1`, { authorization: header() })).toMatchObject({ status: 200, json: { origin: a.name } });
  });

  it("answers 401 M_UNAUTHORIZED without an X-Matrix header", async () => {
    expect(await rawRequest(`${ECHO}/1`)).toEqual({ status: 401, json: expect.objectContaining({ errcode: "M_UNAUTHORIZED" }) });
    expect(await rawRequest(`${ECHO}/1`, { authorization: "Bearer abc" })).toMatchObject({ status: 401, json: { errcode: "M_UNAUTHORIZED" } });
  });

  it("answers 401 M_UNAUTHORIZED to a forged signature (A's name and key id, another key)", async () => {
    const forger = { ...generateSigningKey(), keyId: a.app.ctx.signingKey.keyId };
    expect(await rawRequest(`${ECHO}/1`, { authorization: header({ signingKey: forger }) })).toMatchObject({ status: 401, json: { errcode: "M_UNAUTHORIZED" } });
  });

  it("answers 401 M_UNAUTHORIZED when the signature covers another path, body or destination", async () => {
    expect(await rawRequest(`${ECHO}/2`, { authorization: header() })).toMatchObject({ status: 401 });
    const signedBody = header({ method: "PUT", content: { n: 1 } });
    expect(await rawRequest(`${ECHO}/1`, { authorization: signedBody }, "PUT", { n: 2 })).toMatchObject({ status: 401, json: { errcode: "M_UNAUTHORIZED" } });
    expect(await rawRequest(`${ECHO}/1`, { authorization: header({ destination: "someone.else" }) })).toMatchObject({ status: 401 });
  });

  it("answers 401 M_UNAUTHORIZED when the origin's keys cannot be found", async () => {
    const nobody = "127.0.0.1:1";
    const auth = signRequest({ method: "GET", uri: `${ECHO}/1`, origin: nobody, destination: b.name, signingKey: generateSigningKey() });
    expect(await rawRequest(`${ECHO}/1`, { authorization: auth })).toMatchObject({ status: 401, json: { errcode: "M_UNAUTHORIZED" } });
  });

  it("accepts a request signed with a key id the origin started using after B cached its keys (a rotation)", async () => {
    // A stand-in origin whose published keys the test controls.
    const port = await freePort();
    const origin = `127.0.0.1:${port}`;
    let current = namedKey("before");
    const keyServer = Fastify();
    keyServer.get("/_matrix/key/v2/server", async () => makeKeyResponse(origin, current, Date.now() + 86_400_000));
    await keyServer.listen({ port, host: "127.0.0.1" });
    try {
      const signedBy = (signingKey: typeof current) => ({ authorization: signRequest({ method: "GET", uri: `${ECHO}/1`, origin, destination: b.name, signingKey }) });
      expect(await rawRequest(`${ECHO}/1`, signedBy(current))).toMatchObject({ status: 200, json: { origin } });
      current = namedKey("after");
      expect(await rawRequest(`${ECHO}/1`, signedBy(current))).toMatchObject({ status: 200, json: { origin } });
      // A key id the origin never published is still refused.
      expect(await rawRequest(`${ECHO}/1`, signedBy(namedKey("never")))).toMatchObject({ status: 401, json: { errcode: "M_UNAUTHORIZED" } });
    } finally {
      await keyServer.close();
    }
  });

  it("serves /_matrix/federation/v1/version without authentication", async () => {
    expect(await rawRequest("/_matrix/federation/v1/version")).toEqual({ status: 200, json: { server: { name: "Myelin", version: expect.any(String) } } });
  });

  it("acts as a notary: B fetches A's keys and returns them signed by A and by B", async () => {
    const answer = await a.app.ctx.federation.client.post<KeyQueryResponse>(b.name, "/_matrix/key/v2/query", { server_keys: { [a.name]: {} } });
    expect(answer.server_keys).toHaveLength(1);
    const response = answer.server_keys[0];
    expect(response.server_name).toBe(a.name);
    const aKey = a.app.ctx.signingKey;
    expect(verifyJsonSignature(response, a.name, aKey.keyId, decodeBase64(response.verify_keys[aKey.keyId].key))).toBe(true);
    expect(verifyJsonSignature(response, b.name, b.app.ctx.signingKey.keyId, b.app.ctx.signingKey.publicKey)).toBe(true);
  });

  it("as a notary, GET /_matrix/key/v2/query/{serverName} fetches keys it has never seen and answers them signed by both", async () => {
    const fresh = await startPeer(driver);
    try {
      const answer = await a.app.ctx.federation.client.get<KeyQueryResponse>(b.name, `/_matrix/key/v2/query/${fresh.name}`);
      expect(answer.server_keys.map((k) => k.server_name)).toEqual([fresh.name]);
      const key = fresh.app.ctx.signingKey;
      expect(answer.server_keys[0].verify_keys[key.keyId]).toBeDefined();
      expect(verifyJsonSignature(answer.server_keys[0], fresh.name, key.keyId, key.publicKey)).toBe(true);
      expect(verifyJsonSignature(answer.server_keys[0], b.name, b.app.ctx.signingKey.keyId, b.app.ctx.signingKey.publicKey)).toBe(true);
    } finally {
      await stopPeer(fresh);
    }
  });

  it("as a notary, GET /_matrix/key/v2/query/{its own name} answers its own keys", async () => {
    const answer = await a.app.ctx.federation.client.get<KeyQueryResponse>(b.name, `/_matrix/key/v2/query/${b.name}`);
    expect(answer.server_keys).toHaveLength(1);
    const key = b.app.ctx.signingKey;
    expect(verifyJsonSignature(answer.server_keys[0], b.name, key.keyId, key.publicKey)).toBe(true);
  });

  it("refuses to connect to loopback when the allowlist does not open it", async () => {
    const ctx = a.app.ctx;
    const strict = createFederationServices(
      { ...ctx, config: { ...ctx.config, federation: { ...ctx.config.federation, ip_range_allowlist: [] } } },
      createFederationKeyServices(ctx, ctx.stores.serverKeys),
    );
    try {
      await expect(strict.client.get(b.name, "/_matrix/federation/v1/version")).rejects.toThrow(FederationConnectionError);
      await expect(strict.client.get(b.name, "/_matrix/federation/v1/version")).rejects.toThrow(/blocked/);
    } finally {
      await strict.close();
    }
  });
});

describe.each(testDrivers())("federation over TLS (%s)", (driver) => {
  let dir: string;
  let tls: Peer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "myelin-tls-"));
    await generateDevCertificate({ names: ["127.0.0.1"], certificatePath: join(dir, "tls.crt"), privateKeyPath: join(dir, "tls.key") });
    const https = { cert: await readFile(join(dir, "tls.crt")), key: await readFile(join(dir, "tls.key")) };
    tls = await startPeer(driver, https, { ip_range_allowlist: ["127.0.0.0/8"] });
  });
  afterAll(async () => {
    await stopPeer(tls);
    await rm(dir, { recursive: true, force: true });
  });

  function clientWith(verifyTls: boolean) {
    const ctx = tls.app.ctx;
    return createFederationServices(
      { ...ctx, serverName: "client.test", config: { ...ctx.config, federation: { ...ctx.config.federation, verify_tls: verifyTls } } },
      createFederationKeyServices({ ...ctx, serverName: "client.test" }, ctx.stores.serverKeys),
    );
  }

  it("fetches keys over HTTPS from a self-signed listener when verify_tls is off", async () => {
    const services = clientWith(false);
    try {
      expect(await services.keyring.getVerifyKey(tls.name, tls.app.ctx.signingKey.keyId, Date.now())).toEqual(tls.app.ctx.signingKey.publicKey);
    } finally {
      await services.close();
    }
  });

  it("refuses the self-signed certificate when verify_tls is on (the default)", async () => {
    const services = clientWith(true);
    try {
      await expect(services.client.get(tls.name, "/_matrix/federation/v1/version")).rejects.toThrow(/self.signed certificate/);
    } finally {
      await services.close();
    }
  });
});
