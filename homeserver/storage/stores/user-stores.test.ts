import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { freshLocalpart } from "../../users/testing/http-users.js";
import { AccountDataStore } from "./account-data-store.js";
import { DeviceStore } from "./device-store.js";
import { FilterStore } from "./filter-store.js";
import { RegistrationTokenStore } from "./registration-token-store.js";
import { TokenStore } from "./token-store.js";
import { UserStore } from "./user-store.js";

describe.each(testDrivers())("user stores on %s", (driver) => {
  let test: TestDatabase;
  let users: UserStore;
  let devices: DeviceStore;
  let tokens: TokenStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    users = new UserStore(test.database.db);
    devices = new DeviceStore(test.database.db);
    tokens = new TokenStore(test.database.db);
  });
  afterAll(() => test.dispose());

  async function newUser(): Promise<string> {
    const localpart = freshLocalpart();
    const userId = `@${localpart}:x`;
    await test.database.transaction((tx) =>
      users.insert(tx, { userId, localpart, passwordHash: null, createdTs: 1, isAdmin: false, displayname: localpart }),
    );
    return userId;
  }

  it("a second insert of the same user id or localpart reports false instead of throwing", async () => {
    const userId = await newUser();
    const localpart = userId.slice(1, userId.indexOf(":"));
    const again = await test.database.transaction((tx) =>
      users.insert(tx, { userId, localpart, passwordHash: null, createdTs: 2, isAdmin: false, displayname: null }),
    );
    expect(again).toBe(false);
    const sameLocalpart = await test.database.transaction((tx) =>
      users.insert(tx, { userId: `@${localpart}:other`, localpart, passwordHash: null, createdTs: 2, isAdmin: false, displayname: null }),
    );
    expect(sameLocalpart).toBe(false);
  });

  it("ensuring an existing device keeps its display name and records when it was last seen", async () => {
    const userId = await newUser();
    await test.database.transaction((tx) => devices.ensure(tx, { userId, deviceId: "D", displayName: "Original", ts: 10, ip: "1.1.1.1" }));
    await test.database.transaction((tx) => devices.ensure(tx, { userId, deviceId: "D", displayName: "Ignored", ts: 20, ip: "2.2.2.2" }));
    expect(await devices.get(userId, "D")).toEqual({ deviceId: "D", displayName: "Original", lastSeenTs: 20, lastSeenIp: "2.2.2.2" });
  });

  it("finds an access token by hash with its owner, and forgets it once its device's tokens are deleted", async () => {
    const userId = await newUser();
    await test.database.transaction(async (tx) => {
      await tokens.insertAccessToken(tx, { tokenHash: `h-${userId}`, userId, deviceId: "D", createdTs: 1, expiresTs: 99, refreshTokenHash: null });
    });
    expect(await tokens.findAccessToken(`h-${userId}`)).toEqual({ userId, deviceId: "D", expiresTs: 99, isAdmin: false, deactivated: false });
    await test.database.transaction((tx) => tokens.deleteForDevices(tx, userId, ["D"]));
    expect(await tokens.findAccessToken(`h-${userId}`)).toBeUndefined();
  });

  it("a refresh token can be consumed once, even by concurrent transactions", async () => {
    const userId = await newUser();
    await test.database.transaction((tx) => tokens.insertRefreshToken(tx, { tokenHash: `r-${userId}`, userId, deviceId: "D", createdTs: 1 }));
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => test.database.transaction((tx) => tokens.consumeRefreshToken(tx, `r-${userId}`, 5))),
    );
    expect(attempts.filter((a) => a !== undefined)).toEqual([{ userId, deviceId: "D" }]);
  });

  it("deleting a user's tokens can spare one device", async () => {
    const userId = await newUser();
    await test.database.transaction(async (tx) => {
      for (const deviceId of ["KEEP", "DROP"]) {
        await tokens.insertAccessToken(tx, { tokenHash: `${deviceId}-${userId}`, userId, deviceId, createdTs: 1, expiresTs: null, refreshTokenHash: null });
      }
    });
    await test.database.transaction((tx) => tokens.deleteForUser(tx, userId, "KEEP"));
    expect(await tokens.findAccessToken(`KEEP-${userId}`)).toBeDefined();
    expect(await tokens.findAccessToken(`DROP-${userId}`)).toBeUndefined();
  });

  it("a registration token with one use left admits exactly one of several concurrent registrations", async () => {
    const store = new RegistrationTokenStore(test.database.db);
    await store.create("last-use", { usesAllowed: 3, expiryTime: null });
    await test.database.db.updateTable("registration_tokens").set({ completed: 2 }).where("token", "=", "last-use").execute();
    expect(await store.isUsable("last-use", 0)).toBe(true);
    const results = await Promise.all(Array.from({ length: 4 }, () => test.database.transaction((tx) => store.consume(tx, "last-use", 0))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.isUsable("last-use", 0)).toBe(false);
  });

  it("a registration token is unusable from its expiry time on", async () => {
    const store = new RegistrationTokenStore(test.database.db);
    await store.create("expires", { usesAllowed: null, expiryTime: 1000 });
    expect(await store.isUsable("expires", 999)).toBe(true);
    expect(await store.isUsable("expires", 1000)).toBe(false);
    expect(await test.database.transaction((tx) => store.consume(tx, "expires", 1000))).toBe(false);
  });

  it("filters are readable only under the user that stored them", async () => {
    const store = new FilterStore(test.database.db);
    const id = await store.insert("@a:x", '{"room":{}}');
    expect(await store.get("@a:x", id)).toBe('{"room":{}}');
    expect(await store.get("@b:x", id)).toBeUndefined();
  });

  it("account data changes are the rows written in (from, to], each (room, type) once with its latest content", async () => {
    const store = new AccountDataStore(test.database.db);
    const userId = await newUser();
    const put = (roomId: string, type: string, content: string, streamPos: number) =>
      test.database.transaction((tx) => store.put(tx, { userId, roomId, type, content, streamPos }));
    await put("", "a", "1", 1);
    await put("!r", "b", "2", 2);
    await put("", "a", "3", 3);
    await put("", "c", "4", 4);
    expect((await store.changesSince(userId, 0, 4)).map((c) => [c.roomId, c.type, c.content])).toEqual([
      ["!r", "b", "2"],
      ["", "a", "3"],
      ["", "c", "4"],
    ]);
    expect((await store.changesSince(userId, 2, 3)).map((c) => c.content)).toEqual(["3"]);
    expect(await store.changesSince("@someone-else:x", 0, 4)).toEqual([]);
  });
});
