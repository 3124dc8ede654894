import { describe, expect, it } from "vitest";
import { sendText } from "../../support/send-text.js";
import { directions, startServer, stopServer } from "../support/peers.js";
import { messageHistory } from "../support/room-views.js";
import { sendMessages, sharedRoom } from "../support/shared-room.js";

// The room lives on the sending server; the visitor's server is stopped while 200 messages are sent.
describe.each(directions({ heavy: true }))("a server that was down catches up ($label)", ({ host: sender, guest: stopped }) => {
  it(`${stopped.kind} ${stopped.id} is stopped while ${sender.kind} ${sender.id} sends 200 messages; after its restart it has all of them, in order, once`, async () => {
    const { roomId, owner, visitor } = await sharedRoom(sender, stopped, "downtime");
    const before = await sendText(owner.client, roomId, "before the downtime");
    await visitor.sync.syncUntilSeen([before]);

    await stopServer(stopped);
    let sent: string[] = [];
    try {
      sent = await sendMessages(owner, roomId, 200, "while the peer is down");
    } finally {
      await startServer(stopped);
    }

    // The same client and /sync token as before the downtime: the server's data survived its restart.
    await visitor.sync.syncUntilSeen(sent, 300_000);
    const timeline = visitor.sync.timeline(roomId).map((e) => e.event_id);
    const syncOrder = timeline.filter((id) => sent.includes(id));
    if (stopped.kind === "myelin") {
      // Myelin orders each room by arrival and persists missing ancestors first: /sync is in send order, once.
      expect(visitor.sync.duplicates).toEqual([]);
      expect(syncOrder).toEqual(sent);
    } else {
      // Synapse puts events it pulls (get_missing_events, backfill) into /sync in its own stream order, and a
      // client that filled a gap through /messages can see one of them again: reported, not failed.
      const outOfOrder = syncOrder.findIndex((id, i) => id !== sent[i]);
      console.log(
        `[catch-up] ${stopped.kind} ${stopped.id} /sync after the restart: ${visitor.sync.duplicates.length} duplicate(s), ` +
          `${outOfOrder === -1 ? "in send order" : `first out of send order at ${outOfOrder}`}, ${visitor.sync.limitedTimelines} limited timeline(s)`,
      );
    }

    const expected = [before, ...sent];
    const [onSender, onRestarted] = await Promise.all([messageHistory(owner.client, roomId), messageHistory(visitor.client, roomId)]);
    expect(onSender.map((e) => e.event_id)).toEqual(expected);
    expect(onRestarted.map((e) => e.event_id)).toEqual(expected);

    // And the restarted server still sends: a reply reaches the other side.
    const reply = await sendText(visitor.client, roomId, "back again");
    await owner.sync.syncUntilSeen([reply], 120_000);
  });
});
