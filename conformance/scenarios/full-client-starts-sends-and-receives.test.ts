import { EventStatus, EventType, KnownMembership, MsgType, Preset } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitFor, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";
import type { MatrixClient } from "matrix-js-sdk";

describe("matrix-js-sdk's full client, started as Element starts it", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("reaches SYNCING with the server's push rules, then two users invite, join and exchange messages through it", async () => {
    const [alice, bob] = await registerUsers(2, "full-client");
    const aliceClient = await startFullClient(alice);
    started.push(aliceClient);
    const bobClient = await startFullClient(bob);
    started.push(bobClient);

    // The SDK fetched the push rules at start; the spec's predefined rules are there.
    const override = aliceClient.pushRules?.global.override?.map((r) => r.rule_id) ?? [];
    expect(override[0]).toBe(".m.rule.master");
    expect(override).toContain(".m.rule.is_user_mention");
    expect(aliceClient.pushRules?.global.underride?.map((r) => r.rule_id)).toContain(".m.rule.message");

    const { room_id: roomId } = await aliceClient.createRoom({ preset: Preset.PrivateChat, name: "full clients", invite: [bob.userId] });
    await waitForRoom(bobClient, roomId, (room) => room.getMyMembership() === KnownMembership.Invite);
    await bobClient.joinRoom(roomId);
    await waitForRoom(aliceClient, roomId, (room) => room.getMember(bob.userId)?.membership === KnownMembership.Join);

    // Sent as Element sends: through the SDK's queue, with a local echo that the server's event replaces.
    await aliceClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "hello from a full client" });
    const received = await waitForTimelineEvent(bobClient, roomId, (e) => e.getContent().body === "hello from a full client");
    expect(received.getSender()).toBe(alice.userId);
    expect(received.getType()).toBe(EventType.RoomMessage);

    await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "and a reply" });
    const reply = await waitForTimelineEvent(aliceClient, roomId, (e) => e.getContent().body === "and a reply");
    expect(reply.getSender()).toBe(bob.userId);

    // Alice's own message came back through her sync: the local echo is gone and the event is sent, once.
    const aliceRoom = aliceClient.getRoom(roomId)!;
    await waitFor(aliceClient, () => (aliceRoom.getPendingEvents().length === 0 ? true : undefined), "no pending events");
    const own = aliceRoom.getLiveTimeline().getEvents().filter((e) => e.getContent().body === "hello from a full client");
    expect(own).toHaveLength(1);
    expect(own[0].status === null || own[0].status === EventStatus.SENT).toBe(true);
    expect(own[0].getId()?.startsWith("$")).toBe(true);
  });
});
