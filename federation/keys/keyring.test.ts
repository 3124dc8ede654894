import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../homeserver/app/test-app.js";
import { silentLogger } from "../../homeserver/core/logger.js";
import { encodeUnpaddedBase64 } from "../../homeserver/crypto/base64.js";
import { signJson } from "../../homeserver/crypto/signed-json.js";
import type { SigningKey } from "../../homeserver/crypto/signing-key.js";
import { getRoomVersion } from "../../homeserver/events/room-versions.js";
import { createFederationKeyServices } from "../../homeserver/federation-keys/index.js";
import { keyValidityTimeFor } from "../../homeserver/federation-keys/server-keys.js";
import { makeKeyResponse, namedKey } from "../../homeserver/federation-keys/testing.js";
import { FederationConnectionError } from "../client/errors.js";
import type { FederationClient } from "../client/federation-client.js";
import { ServerKeyring, type TrustedKeyServer } from "./keyring.js";

const DAY = 86_400_000;
const START = 1_700_000_000_000;

/** Stands in for the network: each server name maps to what GET /_matrix/key/v2/server answers now. */
class FakeNetwork {
  readonly serverKeys = new Map<string, () => Record<string, unknown>>();
  readonly notaryAnswers = new Map<string, (body: unknown) => unknown>();
  readonly calls: string[] = [];
  release: (() => void) | undefined;
  gate: Promise<void> | undefined;

  client(): FederationClient {
    return {
      get: async (destination: string, path: string) => {
        this.calls.push(`GET ${destination}${path}`);
        if (this.gate) await this.gate;
        const answer = this.serverKeys.get(destination);
        if (!answer) throw new FederationConnectionError(destination, "unreachable");
        return answer();
      },
      post: async (destination: string, path: string, body: unknown) => {
        this.calls.push(`POST ${destination}${path}`);
        const answer = this.notaryAnswers.get(destination);
        if (!answer) throw new FederationConnectionError(destination, "unreachable");
        return answer(body);
      },
    } as unknown as FederationClient;
  }
}

describe.each(testDrivers())("server keyring (%s)", (driver) => {
  let app: TestApp;
  let now = START;
  const clock = { now: () => now };
  beforeAll(async () => {
    app = await createTestApp(driver, { server_name: "us.example" }, clock);
  });
  afterAll(() => app.dispose());

  function keyring(network: FakeNetwork, trustedKeyServers: TrustedKeyServer[] = []) {
    const { localKeys, keyCache } = createFederationKeyServices(app.ctx, app.ctx.stores.serverKeys);
    return new ServerKeyring({ local: localKeys, cache: keyCache, client: network.client(), trustedKeyServers, clock, logger: silentLogger });
  }

  it("answers for our own keys without asking anyone", async () => {
    const network = new FakeNetwork();
    const ring = keyring(network);
    expect(await ring.getVerifyKey("us.example", app.ctx.signingKey.keyId, now + 365 * DAY)).toEqual(app.ctx.signingKey.publicKey);
    expect(network.calls).toEqual([]);
  });

  it("fetches a server's keys once and then answers from memory and the database", async () => {
    const network = new FakeNetwork();
    const key = namedKey("a");
    network.serverKeys.set("cache.example", () => makeKeyResponse("cache.example", key, now + DAY));
    const ring = keyring(network);
    expect(await ring.getVerifyKey("cache.example", "ed25519:a", now)).toEqual(key.publicKey);
    expect(await ring.getVerifyKey("cache.example", "ed25519:a", now)).toEqual(key.publicKey);
    expect(network.calls).toEqual(["GET cache.example/_matrix/key/v2/server"]);
    // A new keyring over the same database (a restart) does not ask again either.
    expect(await keyring(network).getVerifyKey("cache.example", "ed25519:a", now)).toEqual(key.publicKey);
    expect(network.calls).toHaveLength(1);
  });

  it("shares one fetch between concurrent requests for the same server", async () => {
    const network = new FakeNetwork();
    const key = namedKey("b");
    network.serverKeys.set("busy.example", () => makeKeyResponse("busy.example", key, now + DAY));
    network.gate = new Promise((resolve) => (network.release = resolve));
    const ring = keyring(network);
    const pending = Promise.all(Array.from({ length: 5 }, () => ring.getVerifyKey("busy.example", "ed25519:b", now)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    network.release!();
    expect(await pending).toEqual(Array(5).fill(key.publicKey));
    expect(network.calls).toHaveLength(1);
  });

  it("does not fetch again for a request whose cache read began before a shared fetch stored the key", async () => {
    const network = new FakeNetwork();
    const key = namedKey("late");
    network.serverKeys.set("late.example", () => makeKeyResponse("late.example", key, now + DAY));
    network.gate = new Promise((resolve) => (network.release = resolve));
    const { localKeys, keyCache } = createFederationKeyServices(app.ctx, app.ctx.stores.serverKeys);
    let fetched!: () => void;
    const fetchStored = new Promise<void>((resolve) => (fetched = resolve));
    let reads = 0;
    // The second request's read misses, as it would on a busy database, and its answer comes after the fetch.
    const slowCache: typeof keyCache = Object.assign(Object.create(keyCache), {
      get: async (server: string, keyId: string) => {
        // Numbered by call order, not by which database read finishes first: on a pool the reads can finish in
        // either order, and holding back the first request's read would wait on itself.
        const isSecond = ++reads === 2;
        const found = await keyCache.get(server, keyId);
        if (isSecond) await fetchStored;
        return found;
      },
    });
    const ring = new ServerKeyring({ local: localKeys, cache: slowCache, client: network.client(), trustedKeyServers: [], clock, logger: silentLogger });
    const first = ring.getVerifyKey("late.example", "ed25519:late", now);
    const second = ring.getVerifyKey("late.example", "ed25519:late", now);
    await new Promise((resolve) => setTimeout(resolve, 10));
    network.release!();
    expect(await first).toEqual(key.publicKey);
    fetched();
    expect(await second).toEqual(key.publicKey);
    expect(network.calls).toHaveLength(1);
  });

  it("refuses a key past its valid_until_ts and asks the server again, no more than once per interval", async () => {
    const network = new FakeNetwork();
    const key = namedKey("c");
    let validUntil = now + 1000;
    network.serverKeys.set("window.example", () => makeKeyResponse("window.example", key, validUntil));
    const ring = keyring(network);
    expect(await ring.getVerifyKey("window.example", "ed25519:c", now + 1000)).toEqual(key.publicKey);
    expect(await ring.getVerifyKey("window.example", "ed25519:c", now + 1001)).toBeUndefined();
    expect(network.calls).toHaveLength(2); // the first miss after a fetch asks again at once
    expect(await ring.getVerifyKey("window.example", "ed25519:c", now + 1001)).toBeUndefined();
    expect(await ring.getVerifyKey("window.example", "ed25519:c", now + 1001)).toBeUndefined();
    expect(network.calls).toHaveLength(2); // the later misses came within the refetch interval
    now += 60_000;
    validUntil = now + DAY;
    expect(await ring.getVerifyKey("window.example", "ed25519:c", now)).toEqual(key.publicKey);
    expect(network.calls).toHaveLength(3);
  });

  it("accepts a key id a server starts using right after we fetched its keys (a rotation), without waiting for the cache", async () => {
    const network = new FakeNetwork();
    const first = namedKey("first");
    const second = namedKey("second");
    let published = makeKeyResponse("rotating.example", first, now + DAY);
    network.serverKeys.set("rotating.example", () => published);
    const ring = keyring(network);
    expect(await ring.getVerifyKey("rotating.example", "ed25519:first", now)).toEqual(first.publicKey);
    now += 1000;
    published = makeKeyResponse("rotating.example", second, now + DAY, { "ed25519:first": { key: first, expiredTs: now } });
    expect(await ring.verifySignedJson(signJson({ n: 1 }, "rotating.example", second), "rotating.example", now)).toBe(true);
    expect(network.calls).toHaveLength(2);
    // The key it used before is still known, now as an old key.
    expect(await ring.getVerifyKey("rotating.example", "ed25519:first", 0)).toEqual(first.publicKey);
  });

  it("asks a server about unknown key ids at most once more per interval, and not at all while it is down", async () => {
    const network = new FakeNetwork();
    const key = namedKey("steady");
    network.serverKeys.set("chatty.example", () => makeKeyResponse("chatty.example", key, now + DAY));
    const ring = keyring(network);
    expect(await ring.getVerifyKey("chatty.example", "ed25519:steady", now)).toEqual(key.publicKey);
    for (let i = 0; i < 5; i++) expect(await ring.getVerifyKey("chatty.example", `ed25519:made_up_${i}`, now)).toBeUndefined();
    expect(network.calls).toHaveLength(2);
    now += 60_000;
    expect(await ring.getVerifyKey("chatty.example", "ed25519:made_up_again", now)).toBeUndefined();
    expect(network.calls).toHaveLength(3);

    const down = new FakeNetwork();
    const ringDown = keyring(down);
    for (let i = 0; i < 3; i++) expect(await ringDown.getVerifyKey("down.example", `ed25519:k${i}`, now)).toBeUndefined();
    expect(down.calls).toEqual(["GET down.example/_matrix/key/v2/server"]);
  });

  it("never trusts a key for more than 7 days from fetching, whatever valid_until_ts says", async () => {
    const network = new FakeNetwork();
    const key = namedKey("d");
    network.serverKeys.set("greedy.example", () => makeKeyResponse("greedy.example", key, now + 365 * DAY));
    const ring = keyring(network);
    expect(await ring.getVerifyKey("greedy.example", "ed25519:d", now + 7 * DAY)).toEqual(key.publicKey);
    expect(await ring.getVerifyKey("greedy.example", "ed25519:d", now + 7 * DAY + 1)).toBeUndefined();
  });

  it("applies key validity only for room versions that enforce it (event time vs key expiry)", async () => {
    const network = new FakeNetwork();
    const current = namedKey("e2");
    const old = namedKey("e1");
    network.serverKeys.set("rotated.example", () => makeKeyResponse("rotated.example", current, now + DAY, { "ed25519:e1": { key: old, expiredTs: now - 10 * DAY } }));
    const ring = keyring(network);
    const eventTs = now - 5 * DAY; // signed with the old key after it had expired
    expect(await ring.getVerifyKey("rotated.example", "ed25519:e1", keyValidityTimeFor(getRoomVersion("4")!, eventTs))).toEqual(old.publicKey);
    expect(await ring.getVerifyKey("rotated.example", "ed25519:e1", keyValidityTimeFor(getRoomVersion("5")!, eventTs))).toBeUndefined();
    expect(await ring.getVerifyKey("rotated.example", "ed25519:e1", keyValidityTimeFor(getRoomVersion("10")!, now - 11 * DAY))).toEqual(old.publicKey);
  });

  it("ignores a response that is not signed by the server it claims to be", async () => {
    const network = new FakeNetwork();
    const key = namedKey("f");
    const impostor = namedKey("f");
    network.serverKeys.set("forged.example", () => {
      const genuine = makeKeyResponse("forged.example", key, now + DAY);
      return { ...genuine, signatures: signJson({ ...genuine, signatures: {} }, "forged.example", impostor).signatures };
    });
    network.serverKeys.set("liar.example", () => makeKeyResponse("other.example", key, now + DAY));
    const ring = keyring(network);
    expect(await ring.getVerifyKey("forged.example", "ed25519:f", now)).toBeUndefined();
    expect(await ring.getVerifyKey("liar.example", "ed25519:f", now)).toBeUndefined();
  });

  describe("through a notary", () => {
    const notaryKey: SigningKey = namedKey("notary");
    const trusted: TrustedKeyServer[] = [{ server_name: "notary.example", verify_keys: { "ed25519:notary": encodeUnpaddedBase64(notaryKey.publicKey) } }];

    it("asks a trusted notary when the server cannot be reached, and checks the notary's signature", async () => {
      const network = new FakeNetwork();
      const key = namedKey("g");
      let asked: unknown;
      network.notaryAnswers.set("notary.example", (body) => {
        asked = body;
        return { server_keys: [signJson(makeKeyResponse("offline.example", key, now + DAY), "notary.example", notaryKey)] };
      });
      const ring = keyring(network, trusted);
      expect(await ring.getVerifyKey("offline.example", "ed25519:g", now)).toEqual(key.publicKey);
      expect(network.calls).toEqual(["GET offline.example/_matrix/key/v2/server", "POST notary.example/_matrix/key/v2/query"]);
      expect(asked).toEqual({ server_keys: { "offline.example": { "ed25519:g": { minimum_valid_until_ts: now } } } });
    });

    it("refuses a notary answer signed with a key we were not configured with", async () => {
      const network = new FakeNetwork();
      const key = namedKey("h");
      network.notaryAnswers.set("notary.example", () => ({
        server_keys: [signJson(makeKeyResponse("offline2.example", key, now + DAY), "notary.example", namedKey("notary"))],
      }));
      expect(await keyring(network, trusted).getVerifyKey("offline2.example", "ed25519:h", now)).toBeUndefined();
    });

    it("refuses a notary answer the origin server did not sign", async () => {
      const network = new FakeNetwork();
      const key = namedKey("i");
      const forged = makeKeyResponse("offline3.example", key, now + DAY);
      const origin = signJson({ ...forged, signatures: {} }, "offline3.example", namedKey("i"));
      network.notaryAnswers.set("notary.example", () => ({ server_keys: [signJson(origin, "notary.example", notaryKey)] }));
      expect(await keyring(network, trusted).getVerifyKey("offline3.example", "ed25519:i", now)).toBeUndefined();
    });
  });

  describe("verifySignedJson", () => {
    it("accepts an object signed by the server and refuses a tampered or unsigned one", async () => {
      const network = new FakeNetwork();
      const key = namedKey("j");
      network.serverKeys.set("signer.example", () => makeKeyResponse("signer.example", key, now + DAY));
      const ring = keyring(network);
      const signed = signJson({ hello: "world" }, "signer.example", key);
      expect(await ring.verifySignedJson(signed, "signer.example", now)).toBe(true);
      expect(await ring.verifySignedJson({ ...signed, hello: "moon" }, "signer.example", now)).toBe(false);
      expect(await ring.verifySignedJson({ hello: "world" }, "signer.example", now)).toBe(false);
      expect(await ring.verifySignedJson(signed, "other.example", now)).toBe(false);
    });

    it("refuses an object where any signature by a known key fails, even if another verifies", async () => {
      const network = new FakeNetwork();
      const a = namedKey("ka");
      const b = namedKey("kb");
      const both = { ...makeKeyResponse("two.example", a, now + DAY) };
      both.verify_keys["ed25519:kb"] = { key: encodeUnpaddedBase64(b.publicKey) };
      network.serverKeys.set("two.example", () => signJson(signJson({ ...both, signatures: {} }, "two.example", a), "two.example", b));
      const ring = keyring(network);
      const good = signJson(signJson({ n: 1 }, "two.example", a), "two.example", b);
      expect(await ring.verifySignedJson(good, "two.example", now)).toBe(true);
      const oneBad = { ...good, signatures: { "two.example": { ...good.signatures["two.example"], "ed25519:kb": good.signatures["two.example"]["ed25519:ka"] } } };
      expect(await ring.verifySignedJson(oneBad, "two.example", now)).toBe(false);
    });
  });
});
