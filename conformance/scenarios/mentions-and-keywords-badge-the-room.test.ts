import { EventType, KnownMembership, MsgType, NotificationCountType, Preset, PushRuleKind, ReceiptType, THREAD_RELATION_TYPE, type MatrixClient, type Room } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitFor, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";

/** The main timeline's counts (the SDK's getUnreadNotificationCount adds every thread's to them). */
function badge(room: Room) {
  return { total: room.getRoomUnreadNotificationCount(NotificationCountType.Total), highlight: room.getRoomUnreadNotificationCount(NotificationCountType.Highlight) };
}

describe("notification counts through matrix-js-sdk's full client", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a message, a mention and a keyword badge the room, a thread mention badges its thread, and read receipts clear each", async () => {
    const [alice, bob] = await registerUsers(2, "badges");
    const aliceClient = await startFullClient(alice);
    started.push(aliceClient);
    const bobClient = await startFullClient(bob);
    started.push(bobClient);

    // A keyword as Element's notification settings add it: a content rule that highlights.
    await aliceClient.addPushRule("global", PushRuleKind.ContentSpecific, "pineapple", {
      pattern: "pineapple",
      actions: ["notify", { set_tweak: "highlight" }],
    } as never);

    const { room_id: roomId } = await aliceClient.createRoom({ preset: Preset.PrivateChat, name: "badges", invite: [bob.userId] });
    await waitForRoom(bobClient, roomId, (room) => room.getMyMembership() === KnownMembership.Invite);
    await bobClient.joinRoom(roomId);
    const room = await waitForRoom(aliceClient, roomId, (r) => r.getMember(bob.userId)?.membership === KnownMembership.Join);
    // Nothing unread before bob writes: alice's own events do not count.
    expect(badge(room)).toEqual({ total: 0, highlight: 0 });

    await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "just chatting" });
    // A mention as Element sends it: the user id in m.mentions (the body only shows the pill's text).
    await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "hey alice, look", "m.mentions": { user_ids: [alice.userId] } } as never);
    await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "who wants pineapple pizza?" });
    const last = await waitForTimelineEvent(aliceClient, roomId, (e) => e.getContent().body === "who wants pineapple pizza?");
    await waitFor(aliceClient, () => (badge(room).total === 3 ? true : undefined), "three unread notifications");
    expect(badge(room)).toEqual({ total: 3, highlight: 2 });

    // A mention inside a thread counts for the thread, not for the main timeline.
    const root = await waitForTimelineEvent(aliceClient, roomId, (e) => e.getContent().body === "just chatting");
    await bobClient.sendEvent(roomId, EventType.RoomMessage, {
      msgtype: MsgType.Text,
      body: "in the thread, alice",
      "m.mentions": { user_ids: [alice.userId] },
      "m.relates_to": { rel_type: THREAD_RELATION_TYPE.name, event_id: root.getId()!, is_falling_back: true, "m.in_reply_to": { event_id: root.getId()! } },
    } as never);
    const threadCount = () => room.getThreadUnreadNotificationCount(root.getId()!, NotificationCountType.Highlight);
    await waitFor(aliceClient, () => (threadCount() === 1 ? true : undefined), "a highlight in the thread");
    expect(badge(room)).toEqual({ total: 3, highlight: 2 });
    // The room's badge in the room list, main timeline and threads together.
    expect(room.getUnreadNotificationCount(NotificationCountType.Highlight)).toBe(3);

    // Reading the main timeline (a threaded receipt, as the SDK sends with threads on) clears it; the thread stays.
    await aliceClient.sendReadReceipt(last, ReceiptType.Read);
    await waitFor(aliceClient, () => (badge(room).total === 0 ? true : undefined), "the main timeline read");
    expect(badge(room)).toEqual({ total: 0, highlight: 0 });
    expect(threadCount()).toBe(1);

    const inThread = await waitFor(aliceClient, () => room.getThread(root.getId()!)?.timeline.find((e) => e.getContent().body === "in the thread, alice"), "the thread event");
    await aliceClient.sendReadReceipt(inThread, ReceiptType.Read);
    await waitFor(aliceClient, () => (threadCount() === 0 ? true : undefined), "the thread read");
    expect(room.getThreadUnreadNotificationCount(root.getId()!, NotificationCountType.Total)).toBe(0);
  });
});
