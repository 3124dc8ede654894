import { requesterFor } from "../users/testing/requesters.js";
import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../app/test-app.js";
import { useTestApp } from "../app/testing/use-test-app.js";
import { getRoomVersion } from "../events/room-versions.js";
import type { EventReference } from "../events/pdu.js";
import { eventReference } from "./event-references.js";

describe.each(testDrivers())("events this server makes in room versions 1 and 2 cite others with their reference hashes, on %s", (driver) => {
  const { app } = useTestApp(driver);
  const alice = requesterFor("@alice:test.local", "ALICE");
  beforeAll(async () => {
    await app.ctx.users.accounts.createAccount({ localpart: "alice", password: null });
  });

  it.each(["1", "2"])("version %s: the room's own events and a later message carry [id, {sha256}] that match the cited events", async (versionId) => {
    const version = getRoomVersion(versionId)!;
    const roomId = await app.ctx.rooms.service.createRoom(alice, { room_version: versionId, preset: "private_chat", name: "old" });
    const messageId = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body: "hi" }, "ref-1");
    const history = await app.ctx.stores.events.roomEventsBetween(roomId, 0, Number.MAX_SAFE_INTEGER, 100);
    expect(history.events.map((e) => e.pdu.event_id)).toContain(messageId);
    const byId = new Map(history.events.map((e) => [e.pdu.event_id, e.pdu]));
    let cited = 0;
    for (const { pdu } of history.events) {
      for (const reference of [...(pdu.prev_events as EventReference[]), ...(pdu.auth_events as EventReference[])]) {
        expect(Array.isArray(reference), `${pdu.type} cites ${JSON.stringify(reference)}`).toBe(true);
        const [id] = reference as [string, Record<string, string>];
        expect(reference).toEqual(eventReference(byId.get(id)!, version));
        cited += 1;
      }
    }
    expect(cited).toBeGreaterThan(10);
  });
});
