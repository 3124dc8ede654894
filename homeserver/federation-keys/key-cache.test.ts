import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../storage/test-databases.js";
import { ServerKeysStore } from "../storage/stores/server-keys-store.js";
import { ServerKeyCache } from "./key-cache.js";
import { parseServerKeyResponse } from "./key-response.js";
import { makeKeyResponse, namedKey } from "./testing.js";

const NOW = 1_700_000_000_000;

describe.each(testDrivers())("server key cache and store (%s)", (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.dispose());

  it("stores verified keys and finds them again after a restart (a fresh cache over the same database)", async () => {
    const key = namedKey("k1");
    const json = makeKeyResponse("one.example", key, NOW + 1000);
    await new ServerKeyCache(new ServerKeysStore(test.database.db)).storeResponse(parseServerKeyResponse(json, "one.example", NOW), json, "one.example", NOW);
    const fresh = new ServerKeyCache(new ServerKeysStore(test.database.db));
    expect(await fresh.get("one.example", "ed25519:k1")).toEqual({ publicKey: key.publicKey, validUntilTs: NOW + 1000, expiredTs: null });
    expect(await fresh.get("one.example", "ed25519:nope")).toBeUndefined();
    expect(await fresh.get("other.example", "ed25519:k1")).toBeUndefined();
  });

  it("keeps the signed response byte-for-byte equivalent, once per distinct response", async () => {
    const key = namedKey("k2");
    const old = namedKey("k0");
    const json = makeKeyResponse("two.example", key, NOW + 5000, { "ed25519:k0": { key: old, expiredTs: NOW - 1 } });
    const cache = new ServerKeyCache(new ServerKeysStore(test.database.db));
    await cache.storeResponse(parseServerKeyResponse(json, "two.example", NOW), json, "notary.example", NOW);
    const all = await cache.responses("two.example");
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ fromServer: "notary.example", fetchedTs: NOW, publishedValidUntilTs: NOW + 5000, json });
    expect(all[0].keyIds.sort()).toEqual(["ed25519:k0", "ed25519:k2"]);
    expect(await cache.responses("two.example", ["ed25519:k0"])).toHaveLength(1);
    expect(await cache.responses("two.example", ["ed25519:zz"])).toEqual([]);
    expect(await cache.get("two.example", "ed25519:k0")).toMatchObject({ validUntilTs: NOW - 1, expiredTs: NOW - 1 });
  });

  it("lets the newest response win: a key moved to old_verify_keys gets its shorter validity", async () => {
    const current = namedKey("rot");
    const next = namedKey("rot2");
    const cache = new ServerKeyCache(new ServerKeysStore(test.database.db));
    const first = makeKeyResponse("three.example", current, NOW + 10_000);
    await cache.storeResponse(parseServerKeyResponse(first, "three.example", NOW), first, "three.example", NOW);
    const second = makeKeyResponse("three.example", next, NOW + 20_000, { "ed25519:rot": { key: current, expiredTs: NOW + 1 } });
    await cache.storeResponse(parseServerKeyResponse(second, "three.example", NOW + 2), second, "three.example", NOW + 2);
    const reloaded = new ServerKeyCache(new ServerKeysStore(test.database.db));
    expect(await reloaded.get("three.example", "ed25519:rot")).toMatchObject({ validUntilTs: NOW + 1, expiredTs: NOW + 1 });
    expect(await reloaded.get("three.example", "ed25519:rot2")).toMatchObject({ validUntilTs: NOW + 20_000 });
    expect((await reloaded.responses("three.example")).map((r) => r.json)).toEqual([second]);
  });
});
