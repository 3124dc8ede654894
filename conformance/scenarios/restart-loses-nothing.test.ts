import { Preset } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { restartHomeserver } from "../support/homeserver-under-test.js";
import { createMatrixClient } from "../support/matrix-client.js";
import { registerUser, type TestUser } from "../support/register-user.js";
import { SyncFollower } from "../support/sync-follower.js";
import { sendText } from "../support/send-text.js";

describe("a homeserver restart between a send and a sync", () => {
  let user: TestUser;
  let roomId: string;
  const txnId = `restart-txn-${Date.now()}`;
  const body = "sent before the restart";
  let sentBeforeRestart: string;
  /** Sync state from before the send: its token predates the message. */
  let beforeSend: SyncFollower;
  /** Sync state after the message arrived, still before the restart. */
  let afterSend: SyncFollower;

  /**
   * Set when the setup (which restarts the server) failed: every test then fails with that error, rather than
   * being reported as skipped, which is what vitest does when beforeAll throws.
   */
  let setupFailure: unknown = null;
  function requireSetup() {
    if (setupFailure) throw setupFailure;
  }

  beforeAll(async () => {
    try {
      await sendThenRestart();
    } catch (error) {
      setupFailure = error;
    }
  });

  async function sendThenRestart() {
    user = await registerUser("restart");
    ({ room_id: roomId } = await user.client.createRoom({ preset: Preset.PrivateChat }));
    beforeSend = new SyncFollower(user.client);
    await beforeSend.syncUntil(
      () => beforeSend.timeline(roomId).some((e) => e.type === "m.room.create"),
      () => "the new room never appeared in /sync",
    );
    sentBeforeRestart = await sendText(user.client, roomId, body, txnId);
    afterSend = beforeSend.fork();
    await afterSend.syncUntilSeen([sentBeforeRestart]);

    await restartHomeserver();
  }

  it("the message sent before the restart is delivered by a sync after it, from a token issued before it", async () => {
    requireSetup();
    const resumed = beforeSend.fork();
    await resumed.syncUntilSeen([sentBeforeRestart]);
    expect(resumed.duplicates).toEqual([]);
    expect(resumed.timeline(roomId).filter((e) => e.event_id === sentBeforeRestart)).toHaveLength(1);
  });

  it("a sync token issued before the restart still works: it delivers new messages once and nothing twice", async () => {
    requireSetup();
    const resumed = afterSend.fork();
    await resumed.sync(0);
    const sentAfterRestart = await sendText(user.client, roomId, "sent after the restart");
    await resumed.syncUntilSeen([sentAfterRestart]);
    // The message from before the restart was already delivered to this token's holder; it must not repeat.
    expect(resumed.duplicates).toEqual([]);
    const events = resumed.timeline(roomId).map((e) => e.event_id);
    expect(events.filter((id) => id === sentBeforeRestart)).toHaveLength(1);
    expect(events.at(-1)).toBe(sentAfterRestart);
  });

  it("the access token issued before the restart is still valid", async () => {
    requireSetup();
    const whoami = await user.client.whoami();
    expect(whoami.user_id).toBe(user.userId);
  });

  it("retrying the send with the same transaction ID after the restart returns the original event", async () => {
    requireSetup();
    // A client that lost the response (e.g. the server went down) retries with the same txnId.
    const retryingClient = createMatrixClient(user);
    const eventId = await sendText(retryingClient, roomId, body, txnId);
    expect(eventId).toBe(sentBeforeRestart);
  });
});
