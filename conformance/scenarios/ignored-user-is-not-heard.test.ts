import { KnownMembership, MsgType, NotificationCountType, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitFor, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";

describe("ignoring a user through matrix-js-sdk's full client", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("an ignored user's messages neither reach the client nor count, their state still does, and others are heard", async () => {
    const [alice, bob, carol] = await registerUsers(3, "ignoring");
    const clients = await Promise.all([alice, bob, carol].map((user) => startFullClient(user)));
    started.push(...clients);
    const [aliceClient, bobClient, carolClient] = clients;

    const { room_id: roomId } = await aliceClient.createRoom({
      preset: Preset.PublicChat,
      name: "ignoring",
      // Bob may set the topic: a state event of his, which alice must still get.
      power_level_content_override: { users: { [bob.userId]: 50 } },
    });
    await bobClient.joinRoom(roomId);
    await carolClient.joinRoom(roomId);
    const room = await waitForRoom(aliceClient, roomId, (r) => r.getMember(carol.userId)?.membership === KnownMembership.Join);

    // As Element's "Ignore" button does: the list goes into account data, and the SDK restarts its sync from scratch.
    await aliceClient.setIgnoredUsers([bob.userId]);
    await waitFor(aliceClient, () => (aliceClient.isUserIgnored(bob.userId) ? true : undefined), "bob ignored");

    await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "can you hear me?", "m.mentions": { user_ids: [alice.userId] } } as never);
    await bobClient.setRoomTopic(roomId, "bob's topic");
    await carolClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "carol here" });

    await waitForTimelineEvent(aliceClient, roomId, (e) => e.getContent().body === "carol here");
    await waitFor(aliceClient, () => (room.currentState.getStateEvents("m.room.topic", "")?.getContent().topic === "bob's topic" ? true : undefined), "bob's topic");
    const bodies = room.getLiveTimeline().getEvents().map((e) => e.getContent().body);
    expect(bodies).not.toContain("can you hear me?");
    expect(room.getRoomUnreadNotificationCount(NotificationCountType.Highlight)).toBe(0);
    expect(room.getRoomUnreadNotificationCount(NotificationCountType.Total)).toBe(1);
    const page = await aliceClient.createMessagesRequest(roomId, null, 50, "b" as never);
    expect(page.chunk.map((e) => e.content.body)).not.toContain("can you hear me?");
    expect(page.chunk.map((e) => e.content.body)).toContain("carol here");

    // Carol, who ignores nobody, heard bob.
    await waitForTimelineEvent(carolClient, roomId, (e) => e.getContent().body === "can you hear me?");
  });
});
