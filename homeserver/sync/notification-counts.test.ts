import { describe, expect, it } from "vitest";
import type { CountsByUser } from "../storage/stores/push-actions-store.js";
import { NotificationCounts } from "./notification-counts.js";

/** A store whose unread counts are a table per receipts "version", counting the reads made of it. */
function fakeStore(members: string[]) {
  const calls = { room: 0, single: 0 };
  let unread = 3;
  const countsFor = (users: readonly string[], roomId: string): CountsByUser =>
    new Map(users.map((u) => [u, new Map([[roomId, new Map([["main", { notifications: unread, highlights: 0 }]])]])]));
  return {
    calls,
    read: () => (unread = 0),
    store: {
      counts: async (userIds: readonly string[], roomIds: readonly string[]) => {
        calls.single++;
        return countsFor(userIds, roomIds[0]);
      },
      countsOfRoomMembers: async (roomId: string) => {
        calls.room++;
        return { counts: countsFor(members, roomId), members: new Set(members) };
      },
    },
  };
}

describe("notification counts for sync responses", () => {
  it("reads a room's members' counts once per position, however many of them ask, and again when a receipt moved", async () => {
    const members = Array.from({ length: 20 }, (_, i) => `@u${i}:hs`);
    const fake = fakeStore(members);
    const counts = new NotificationCounts(fake.store, "hs");
    const at = { events: 10, receipts: 4 };
    // Members reach their counts a few at a time, as the build gate lets them through.
    for (const member of members) {
      expect(await counts.forMember(member, "!r:hs", at, false)).toEqual({ unread_notifications: { notification_count: 3, highlight_count: 0 } });
    }
    expect(fake.calls).toEqual({ room: 1, single: 0 });
    // A build of one member's own goes the same way.
    await counts.forRooms(members[0], ["!r:hs"], at, false);
    expect(fake.calls).toEqual({ room: 1, single: 0 });

    fake.read();
    const afterReceipt = await counts.forMember(members[0], "!r:hs", { events: 10, receipts: 5 }, false);
    expect(afterReceipt.unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    expect(fake.calls).toEqual({ room: 2, single: 0 });
  });

  it("reads a user's own counts when they were not among the members read, and for several rooms at once", async () => {
    const fake = fakeStore(["@a:hs"]);
    const counts = new NotificationCounts(fake.store, "hs");
    const at = { events: 7, receipts: 1 };
    await counts.forMember("@a:hs", "!r:hs", at, false);
    expect((await counts.forMember("@late:hs", "!r:hs", at, true)).unread_thread_notifications).toEqual({});
    expect(fake.calls).toEqual({ room: 1, single: 1 });
    const both = await counts.forRooms("@a:hs", ["!r:hs", "!s:hs"], at, false);
    expect([...both.keys()]).toEqual(["!r:hs", "!s:hs"]);
    expect(fake.calls).toEqual({ room: 1, single: 2 });
  });
});
