import { Preset } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { SyncFollower } from "../support/sync-follower.js";
import { sendText } from "../support/send-text.js";

const missedCount = 30;

describe("a client that was offline", () => {
  let sender: TestUser;
  let roomId: string;
  /** The offline client's state when it stopped syncing: its token and the timeline it had. */
  let beforeOffline: SyncFollower;
  let missedIds: string[];

  beforeAll(async () => {
    const [alice, bob] = await registerUsers(2, "offline");
    sender = alice!;
    ({ room_id: roomId } = await sender.client.createRoom({ preset: Preset.PublicChat }));
    await bob!.client.joinRoom(roomId);
    beforeOffline = new SyncFollower(bob!.client);
    await beforeOffline.syncUntil(
      () => beforeOffline.timeline(roomId).some((e) => e.type === "m.room.member" && e.state_key === bob!.userId),
      () => "the offline client never saw its own join",
    );

    missedIds = [];
    for (let i = 0; i < missedCount; i++) {
      missedIds.push(await sendText(sender.client, roomId, `missed ${i}`));
    }
  });

  function newEventIds(follower: SyncFollower): string[] {
    const before = new Set(beforeOffline.timeline(roomId).map((e) => e.event_id));
    return follower
      .timeline(roomId)
      .map((e) => e.event_id)
      .filter((id) => !before.has(id));
  }

  it("gets exactly the messages it missed, in order, from one /sync with its old since token", async () => {
    const resumed = beforeOffline.fork({ timelineLimit: 1000 });
    await resumed.syncUntilSeen(missedIds);
    expect(resumed.duplicates).toEqual([]);
    expect(newEventIds(resumed)).toEqual(missedIds);
  });

  it("with a small timeline limit gets a limited timeline whose prev_batch paginates back to exactly the missed messages", async () => {
    const limit = 5;
    const resumed = beforeOffline.fork({ timelineLimit: limit });
    const response = await resumed.sync(0);
    const timeline = response.rooms?.join?.[roomId]?.timeline;
    expect(timeline?.limited).toBe(true);
    expect(timeline?.events.length).toBeLessThanOrEqual(limit);
    expect(timeline?.prev_batch).toEqual(expect.any(String));
    // The follower filled the gap through /messages from prev_batch.
    expect(resumed.limitedTimelines).toBe(1);
    expect(resumed.duplicates).toEqual([]);
    expect(newEventIds(resumed)).toEqual(missedIds);
  });
});
