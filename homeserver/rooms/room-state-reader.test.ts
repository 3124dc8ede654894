import { describe, expect, it, vi } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { newUser, SyncHarness } from "../sync/testing/sync-fixtures.js";
import { RoomStateReader } from "./room-state-reader.js";
import { StateAtStore } from "../storage/stores/state-at-store.js";

describe.each(testDrivers())("RoomStateReader.keysAt on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  async function roomWithMessage() {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const eventId = await h.send(alice, roomId, "hello");
    const stored = await app.ctx.stores.events.get(eventId);
    return { alice, roomId, group: stored!.stateGroupBefore! };
  }

  it("reads a key that concurrent lookups all ask for once, and gives each the same answer", async () => {
    const { alice, group } = await roomWithMessage();
    const reader = new RoomStateReader(app.ctx.stores);
    const select = vi.spyOn(StateAtStore.prototype, "select");
    try {
      const key = [["m.room.member", alice.userId]] as const;
      const answers = await Promise.all([reader.keysAt([group], key), reader.keysAt([group], key), reader.keysAt([group], key)]);
      expect(select).toHaveBeenCalledTimes(1);
      for (const answer of answers) expect(answer.get(group)!.get(`m.room.member\u0000${alice.userId}`)).toMatch(/^\$/);
      // Cached afterwards.
      await reader.keysAt([group], key);
      expect(select).toHaveBeenCalledTimes(1);
    } finally {
      select.mockRestore();
    }
  });

  it("shares an in-flight key with a lookup that also asks for others, and reads only the others", async () => {
    const { alice, group } = await roomWithMessage();
    const reader = new RoomStateReader(app.ctx.stores);
    const select = vi.spyOn(StateAtStore.prototype, "select");
    try {
      const member = ["m.room.member", alice.userId] as const;
      const joinRules = ["m.room.join_rules", ""] as const;
      const absent = ["m.room.topic", ""] as const;
      const [first, second] = await Promise.all([reader.keysAt([group], [member]), reader.keysAt([group], [member, joinRules, absent])]);
      expect(select).toHaveBeenCalledTimes(2);
      expect(select.mock.calls[1][1]).toEqual({ keys: [joinRules, absent] });
      expect(second.get(group)!.get(`m.room.member\u0000${alice.userId}`)).toBe(first.get(group)!.get(`m.room.member\u0000${alice.userId}`));
      expect(second.get(group)!.has("m.room.join_rules\u0000")).toBe(true);
      expect(second.get(group)!.has("m.room.topic\u0000")).toBe(false);
    } finally {
      select.mockRestore();
    }
  });

  it("passes a failed read to every lookup that shared it, and reads again next time", async () => {
    const { alice, group } = await roomWithMessage();
    const reader = new RoomStateReader(app.ctx.stores);
    const select = vi.spyOn(StateAtStore.prototype, "select").mockRejectedValueOnce(new Error("connection lost"));
    try {
      const key = [["m.room.member", alice.userId]] as const;
      const results = await Promise.allSettled([reader.keysAt([group], key), reader.keysAt([group], key)]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
      const retried = await reader.keysAt([group], key);
      expect(retried.get(group)!.size).toBe(1);
      expect(select).toHaveBeenCalledTimes(2);
    } finally {
      select.mockRestore();
    }
  });
});
