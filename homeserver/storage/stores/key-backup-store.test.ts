import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { KeyBackupStore, type BackedUpKeyMeta, type BackedUpKeyRow } from "./key-backup-store.js";

const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const newUserId = () => `@kb-${randomBytes(5).toString("hex")}:test.local`;
const key = (roomId: string, sessionId: string, over: Partial<BackedUpKeyRow> = {}): BackedUpKeyRow => ({
  roomId,
  sessionId,
  firstMessageIndex: 1,
  forwardedCount: 0,
  isVerified: false,
  sessionData: JSON.stringify({ ciphertext: `${roomId}/${sessionId}` }),
  ...over,
});
// The store applies whatever rule it is given; these tests give it a simple one to see that it is applied.
const lowerIndexWins = (existing: BackedUpKeyMeta, candidate: BackedUpKeyMeta) => candidate.firstMessageIndex < existing.firstMessageIndex;

describe.each(testDrivers())("KeyBackupStore on %s", (driver) => {
  let test: TestDatabase;
  let store: KeyBackupStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    store = new KeyBackupStore(test.database.db);
  });
  afterAll(() => test.dispose());

  it("numbers versions per user from 1 upwards, the newest being current, and never reuses a deleted one's number", async () => {
    const alice = newUserId();
    const bob = newUserId();
    expect(await store.currentVersion(alice)).toBeUndefined();
    expect(await store.createVersion(alice, ALGORITHM, '{"public_key":"a"}')).toBe(1);
    expect(await store.createVersion(alice, ALGORITHM, '{"public_key":"b"}')).toBe(2);
    expect(await store.createVersion(bob, ALGORITHM, "{}")).toBe(1);
    expect(await store.currentVersion(alice)).toEqual({ version: 2, algorithm: ALGORITHM, authData: '{"public_key":"b"}', etag: 0 });
    expect(await store.deleteVersion(alice, 2)).toBe(true);
    expect((await store.currentVersion(alice))?.version).toBe(1);
    expect(await store.version(alice, 2)).toBeUndefined();
    expect(await store.createVersion(alice, ALGORITHM, "{}")).toBe(3);
  });

  it("creates distinct versions when one user creates several at once", async () => {
    const alice = newUserId();
    const versions = await Promise.all([1, 2, 3, 4, 5].map(() => store.createVersion(alice, ALGORITHM, "{}")));
    expect([...versions].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("deleting a version again still reports it existed; one never created does not", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    expect(await store.deleteVersion(alice, 1)).toBe(true);
    expect(await store.deleteVersion(alice, 1)).toBe(true);
    expect(await store.deleteVersion(alice, 2)).toBe(false);
    expect(await store.deleteVersion(newUserId(), 1)).toBe(false);
  });

  it("updates auth_data of a live version only", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, '{"v":1}');
    expect(await store.updateAuthData(alice, 1, '{"v":2}')).toBe(true);
    expect((await store.version(alice, 1))?.authData).toBe('{"v":2}');
    await store.deleteVersion(alice, 1);
    expect(await store.updateAuthData(alice, 1, '{"v":3}')).toBe(false);
  });

  it("stores keys into the current version only, moving the etag on only when something was written", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    await store.createVersion(alice, ALGORITHM, "{}");
    expect(await store.storeKeys(alice, 1, [key("!r:x", "s1")], lowerIndexWins)).toBeUndefined();
    expect(await store.storeKeys(alice, 3, [key("!r:x", "s1")], lowerIndexWins)).toBeUndefined();
    expect(await store.storeKeys(alice, 2, [key("!r:x", "s1"), key("!r:x", "s2"), key("!q:x", "s1")], lowerIndexWins)).toEqual({ etag: 1, count: 3 });
    // Worse than what is there: nothing written, the etag stays.
    expect(await store.storeKeys(alice, 2, [key("!r:x", "s1", { firstMessageIndex: 5 })], lowerIndexWins)).toEqual({ etag: 1, count: 3 });
    expect(await store.storeKeys(alice, 2, [key("!r:x", "s1", { firstMessageIndex: 0, isVerified: true, sessionData: '{"new":true}' })], lowerIndexWins)).toEqual({
      etag: 2,
      count: 3,
    });
    expect(await store.keys(alice, 2, { roomId: "!r:x", sessionId: "s1" })).toEqual([
      { roomId: "!r:x", sessionId: "s1", firstMessageIndex: 0, forwardedCount: 0, isVerified: true, sessionData: '{"new":true}' },
    ]);
    expect(await store.countKeys(alice, 1)).toBe(0);
  });

  it("reads keys by version, room and session, in room then session order, and never another user's", async () => {
    const alice = newUserId();
    const bob = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    await store.createVersion(bob, ALGORITHM, "{}");
    await store.storeKeys(alice, 1, [key("!b:x", "s2"), key("!a:x", "s9"), key("!b:x", "s1")], lowerIndexWins);
    await store.storeKeys(bob, 1, [key("!a:x", "bob")], lowerIndexWins);
    const pairs = (rows: BackedUpKeyRow[]) => rows.map((r) => `${r.roomId}/${r.sessionId}`);
    expect(pairs(await store.keys(alice, 1))).toEqual(["!a:x/s9", "!b:x/s1", "!b:x/s2"]);
    expect(pairs(await store.keys(alice, 1, { roomId: "!b:x" }))).toEqual(["!b:x/s1", "!b:x/s2"]);
    expect(pairs(await store.keys(alice, 1, { roomId: "!a:x", sessionId: "bob" }))).toEqual([]);
    expect(pairs(await store.keys(bob, 1))).toEqual(["!a:x/bob"]);
  });

  it("deletes keys by scope from any live version, moving the etag on only when something went", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    await store.storeKeys(alice, 1, [key("!a:x", "s1"), key("!a:x", "s2"), key("!b:x", "s1")], lowerIndexWins);
    await store.createVersion(alice, ALGORITHM, "{}");
    expect(await store.deleteKeys(alice, 1, { roomId: "!a:x", sessionId: "s1" })).toEqual({ etag: 2, count: 2 });
    expect(await store.deleteKeys(alice, 1, { roomId: "!a:x", sessionId: "s1" })).toEqual({ etag: 2, count: 2 });
    expect(await store.deleteKeys(alice, 1, { roomId: "!a:x" })).toEqual({ etag: 3, count: 1 });
    expect(await store.deleteKeys(alice, 1)).toEqual({ etag: 4, count: 0 });
    expect(await store.deleteKeys(alice, 9)).toBeUndefined();
  });

  it("deleting a version removes its keys", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    await store.storeKeys(alice, 1, [key("!a:x", "s1")], lowerIndexWins);
    await store.deleteVersion(alice, 1);
    expect(await store.countKeys(alice, 1)).toBe(0);
    expect(await store.keys(alice, 1)).toEqual([]);
    expect(await store.deleteKeys(alice, 1)).toBeUndefined();
  });

  it("keeps session data byte for byte, quotes, backslashes and non-ASCII included", async () => {
    const alice = newUserId();
    await store.createVersion(alice, ALGORITHM, "{}");
    const sessionData = JSON.stringify({ ciphertext: 'a"b\\c{d},e', note: "é😀" });
    await store.storeKeys(alice, 1, [key("!a:x", 'we"ird,{id}', { sessionData })], lowerIndexWins);
    expect((await store.keys(alice, 1))[0]).toMatchObject({ sessionId: 'we"ird,{id}', sessionData });
  });
});
