import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { roomHistory } from "../support/room-history.js";
import { SyncFollower } from "../support/sync-follower.js";
import { sendText } from "../support/send-text.js";

const senderCount = 5;
const messagesPerSender = 20;

async function sendMessages(sender: TestUser, roomId: string, label: string): Promise<string[]> {
  const eventIds: string[] = [];
  for (let i = 0; i < messagesPerSender; i++) {
    eventIds.push(await sendText(sender.client, roomId, `${label} message ${i}`, `${label}-txn-${i}`));
  }
  return eventIds;
}

describe("concurrent senders in one room", () => {
  it("every member's incremental /sync delivers each message exactly once, in the order /messages returns", async () => {
    const users = await registerUsers(senderCount, "concurrent");
    const [creator] = users;
    const { room_id: roomId } = await creator!.client.createRoom({ preset: Preset.PublicChat, name: "concurrency" });
    await Promise.all(users.slice(1).map((user) => user.client.joinRoom(roomId)));

    // Each member starts from a token taken after everyone joined, then keeps long-polling while the sends run.
    const followers = users.map((user) => new SyncFollower(user.client));
    await Promise.all(followers.map((f) => f.sync()));

    const sending = Promise.all(users.map((user, i) => sendMessages(user, roomId, `sender${i}`)));
    let sentIds: Set<string> | null = null;
    let sendFailed = false;
    const syncing = followers.map((follower) =>
      follower.syncUntil(
        () => sendFailed || (sentIds !== null && [...sentIds].every((id) => follower.hasSeen(id))),
        () => `${follower.client.getUserId()} has ${follower.timeline(roomId).length} events`,
        240_000,
      ),
    );
    try {
      sentIds = new Set((await sending).flat());
    } catch (error) {
      // Let the long-polls end before failing, so they do not run on into the next test.
      sendFailed = true;
      await Promise.allSettled(syncing);
      throw error;
    }
    for (const outcome of await Promise.allSettled(syncing)) {
      if (outcome.status === "rejected") throw outcome.reason;
    }

    expect(sentIds.size).toBe(senderCount * messagesPerSender);
    const history = await roomHistory(creator!.client, roomId);
    const historyOrder = history.map((e) => e.event_id).filter((id) => sentIds!.has(id));
    expect(historyOrder).toHaveLength(sentIds.size);

    for (const follower of followers) {
      expect(follower.duplicates, `duplicates seen by ${follower.client.getUserId()}`).toEqual([]);
      const syncOrder = follower
        .timeline(roomId)
        .map((e) => e.event_id)
        .filter((id) => sentIds!.has(id));
      expect(syncOrder, `sync order seen by ${follower.client.getUserId()}`).toEqual(historyOrder);
    }
  });
});
