import { describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import type { StreamName } from "../streams/sync-token.js";
import { testDrivers } from "../storage/test-databases.js";
import { AccountDataService } from "./account-data.js";
import { AccountDataStore } from "../storage/stores/account-data-store.js";
import { freshLocalpart } from "./testing/http-users.js";

describe.each(testDrivers())("account data service on %s", (driver) => {
  const { app } = useTestApp(driver);

  const newUserId = () => `@${freshLocalpart()}:test.local`;

  function recordNotifications(): { seen: Array<{ stream: StreamName; position: number; users: string[] }>; stop: () => void } {
    const seen: Array<{ stream: StreamName; position: number; users: string[] }> = [];
    const stop = app.ctx.notifier.subscribe((stream, position, audience) => seen.push({ stream, position, users: [...(audience.users ?? [])] }));
    return { seen, stop };
  }

  it("changesSince(user, 0, now) returns all global and per-room account data, grouped by room", async () => {
    const userId = newUserId();
    const data = app.ctx.users.accountData;
    await data.set(userId, null, "org.example.a", { a: 1 });
    await data.set(userId, "!r1:test.local", "org.example.b", { b: 1 });
    await data.putTag(userId, "!r1:test.local", "m.favourite", { order: 1 });
    await data.set(userId, "!r2:test.local", "org.example.b", { b: 2 });
    const changes = await data.changesSince(userId, 0, app.ctx.streams.accountData.current);
    expect(changes.global).toEqual([{ type: "org.example.a", content: { a: 1 } }]);
    expect(Object.fromEntries(changes.rooms)).toEqual({
      "!r1:test.local": [
        { type: "org.example.b", content: { b: 1 } },
        { type: "m.tag", content: { tags: { "m.favourite": { order: 1 } } } },
      ],
      "!r2:test.local": [{ type: "org.example.b", content: { b: 2 } }],
    });
  });

  it("changesSince excludes fromPos and earlier, and includes toPos", async () => {
    const userId = newUserId();
    const data = app.ctx.users.accountData;
    await data.set(userId, null, "org.example.first", {});
    const afterFirst = app.ctx.streams.accountData.current;
    await data.set(userId, null, "org.example.second", {});
    const afterSecond = app.ctx.streams.accountData.current;
    await data.set(userId, null, "org.example.third", {});
    const changes = await data.changesSince(userId, afterFirst, afterSecond);
    expect(changes.global.map((e) => e.type)).toEqual(["org.example.second"]);
  });

  it("a rewrite moves the type to the new position with the latest content, so it is sent once", async () => {
    const userId = newUserId();
    const data = app.ctx.users.accountData;
    await data.set(userId, null, "org.example.x", { v: 1 });
    const before = app.ctx.streams.accountData.current;
    await data.set(userId, null, "org.example.x", { v: 2 });
    expect((await data.changesSince(userId, before, app.ctx.streams.accountData.current)).global).toEqual([
      { type: "org.example.x", content: { v: 2 } },
    ]);
    expect((await data.changesSince(userId, 0, app.ctx.streams.accountData.current)).global).toHaveLength(1);
  });

  it("each write advances the account-data stream and wakes the owner's waiters with the new position", async () => {
    const userId = newUserId();
    const { seen, stop } = recordNotifications();
    const before = app.ctx.streams.accountData.current;
    await app.ctx.users.accountData.set(userId, null, "org.example.wake", {});
    stop();
    expect(app.ctx.streams.accountData.current).toBe(before + 1);
    expect(seen).toEqual([{ stream: "accountData", position: before + 1, users: [userId] }]);
  });

  it("a write committed behind an earlier in-flight position is hidden and its owner woken only once that position finishes", async () => {
    const userId = newUserId();
    const publisher = app.ctx.streams.accountData;
    const { seen, stop } = recordNotifications();
    const held = publisher.allocate(); // another writer, still in flight
    await app.ctx.users.accountData.set(userId, null, "org.example.behind", {});
    expect(publisher.current).toBe(held - 1);
    expect(seen).toEqual([]);
    expect((await app.ctx.users.accountData.changesSince(userId, 0, publisher.current)).global).toEqual([]);

    publisher.finish(held);
    stop();
    expect(seen).toEqual([{ stream: "accountData", position: held + 1, users: [userId] }]);
    expect((await app.ctx.users.accountData.changesSince(userId, 0, publisher.current)).global).toHaveLength(1);
  });

  it("a write whose transaction fails releases its stream position, so later writes still publish", async () => {
    const userId = newUserId();
    const publisher = app.ctx.streams.accountData;
    const failingStore = new AccountDataStore(app.ctx.db);
    failingStore.put = async () => {
      throw new Error("disk full");
    };
    await expect(new AccountDataService(app.ctx, failingStore).set(userId, null, "org.example.lost", {})).rejects.toThrow("disk full");
    await app.ctx.users.accountData.set(userId, null, "org.example.after", {});
    expect((await app.ctx.users.accountData.changesSince(userId, 0, publisher.current)).global.map((e) => e.type)).toEqual(["org.example.after"]);
  });
});
