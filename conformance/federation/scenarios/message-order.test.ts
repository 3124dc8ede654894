import { describe, expect, it } from "vitest";
import { directions } from "../support/peers.js";
import { messageHistory } from "../support/room-views.js";
import { sendMessages, sharedRoom } from "../support/shared-room.js";

function duplicatesIn(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

describe.each(directions({ heavy: true }))("messages between servers ($label)", ({ host, guest }) => {
  it("100 messages each way, sent in turns of 10, have the same order in both servers' /messages and arrive once by /sync", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "100 each way, in turns");
    const sent: string[] = [];
    for (let turn = 0; turn < 10; turn++) {
      const fromOwner = await sendMessages(owner, roomId, 10, `owner turn ${turn + 1}`);
      await visitor.sync.syncUntilSeen(fromOwner, 120_000);
      const fromVisitor = await sendMessages(visitor, roomId, 10, `visitor turn ${turn + 1}`);
      await owner.sync.syncUntilSeen(fromVisitor, 120_000);
      sent.push(...fromOwner, ...fromVisitor);
    }
    // Every message was sent after the previous one reached the other server: the order is causal, not a race.
    await Promise.all([owner.sync.syncUntilSeen(sent, 120_000), visitor.sync.syncUntilSeen(sent, 120_000)]);
    const [onHost, onGuest] = await Promise.all([messageHistory(owner.client, roomId), messageHistory(visitor.client, roomId)]);
    expect(onHost.map((e) => e.event_id)).toEqual(sent);
    expect(onGuest.map((e) => e.event_id)).toEqual(sent);
    for (const follower of [owner.sync, visitor.sync]) {
      expect(follower.duplicates).toEqual([]);
      const seen = follower.timeline(roomId).map((e) => e.event_id).filter((id) => sent.includes(id));
      expect(seen).toEqual(sent);
    }
  });

  it("100 messages each way sent at the same time: each server holds all 200 once, each sender's in its sending order", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "100 each way, at once");
    const [fromOwner, fromVisitor] = await Promise.all([
      sendMessages(owner, roomId, 100, "owner, concurrent"),
      sendMessages(visitor, roomId, 100, "visitor, concurrent"),
    ]);
    const all = [...fromOwner, ...fromVisitor];
    await Promise.all([owner.sync.syncUntilSeen(all, 180_000), visitor.sync.syncUntilSeen(all, 180_000)]);

    const [onHost, onGuest] = await Promise.all([messageHistory(owner.client, roomId), messageHistory(visitor.client, roomId)]);
    for (const [where, history] of [["room's server", onHost.map((e) => e.event_id)], ["joined server", onGuest.map((e) => e.event_id)]] as const) {
      expect(duplicatesIn(history), `duplicates in /messages on the ${where}`).toEqual([]);
      expect([...history].sort(), `messages in /messages on the ${where}`).toEqual([...all].sort());
      // Each sender's messages form a chain in the room DAG, so every server must keep their order.
      expect(history.filter((id) => fromOwner.includes(id)), `order of the owner's messages on the ${where}`).toEqual(fromOwner);
      expect(history.filter((id) => fromVisitor.includes(id)), `order of the visitor's messages on the ${where}`).toEqual(fromVisitor);
    }
    for (const follower of [owner.sync, visitor.sync]) {
      expect(follower.duplicates).toEqual([]);
      const seen = follower.timeline(roomId).map((e) => e.event_id);
      expect(seen.filter((id) => fromOwner.includes(id))).toEqual(fromOwner);
      expect(seen.filter((id) => fromVisitor.includes(id))).toEqual(fromVisitor);
    }
  });
});
