import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { specErrors } from "../../users/testing/spec-responses.js";

const enc = encodeURIComponent;
let txn = 0;

describe.each(testDrivers())("push rules decide notification counts in /sync on %s", (driver) => {
  const { app } = useTestApp(driver);

  const call = async (who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown) => {
    const response = await app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const send = async (who: TestUser, roomId: string, content: Record<string, unknown>, type = "m.room.message"): Promise<string> =>
    (await call(who, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/t${++txn}`, content)).event_id;
  const receipt = (who: TestUser, roomId: string, eventId: string, threadId?: string, type = "m.read") =>
    call(who, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/${type}/${enc(eventId)}`, threadId ? { thread_id: threadId } : {});
  const roomOf = async (who: TestUser, roomId: string, filter?: unknown) => {
    const query = filter ? `?filter=${enc(JSON.stringify(filter))}` : "";
    return (await call(who, "GET", `/_matrix/client/v3/sync${query}`)).rooms?.join?.[roomId];
  };

  /** A room of `members` (the first creates it, the others join). */
  async function roomWith(...members: TestUser[]): Promise<string> {
    const { room_id: roomId } = await call(members[0], "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    for (const member of members.slice(1)) await call(member, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    return roomId;
  }

  it("counts messages for the other members, highlights mentions, and resets at the reader's receipt", async () => {
    const [alice, bob, carol] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, carol);
    await send(alice, roomId, { msgtype: "m.text", body: "hello all" });
    const mention = await send(alice, roomId, { msgtype: "m.text", body: "bob, look", "m.mentions": { user_ids: [bob.userId] } });
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 1 });
    expect((await roomOf(carol, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 0 });
    // The sender is never notified by their own events.
    expect((await roomOf(alice, roomId)).unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    // A notice (bots) and a reaction notify nobody.
    await send(alice, roomId, { msgtype: "m.notice", body: "beep" });
    await send(alice, roomId, { "m.relates_to": { rel_type: "m.annotation", event_id: mention, key: "👍" } }, "m.reaction");
    expect((await roomOf(carol, roomId)).unread_notifications.notification_count).toBe(2);

    await receipt(bob, roomId, mention);
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    // A private receipt clears too; the one further on counts.
    const later = await send(alice, roomId, { msgtype: "m.text", body: "more" });
    await receipt(carol, roomId, later, undefined, "m.read.private");
    expect((await roomOf(carol, roomId)).unread_notifications.notification_count).toBe(0);
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(1);
  });

  it("the legacy body rules highlight an event without m.mentions, and not one with it", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, await registerTestUser(app.http));
    await send(alice, roomId, { msgtype: "m.text", body: `hey ${bob.localpart}!` });
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 1, highlight_count: 1 });
    await send(alice, roomId, { msgtype: "m.text", body: `hey ${bob.localpart}!`, "m.mentions": {} });
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 1 });
  });

  it("uses the room_one_to_one rule in a room of two and the user's own rules over the defaults", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob);
    await send(alice, roomId, { msgtype: "m.text", body: "just us" });
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(1);
    // Muting the room: a room rule with no actions.
    await call(bob, "PUT", `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`, { actions: [] });
    await send(alice, roomId, { msgtype: "m.text", body: "muted" });
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(1);
    // A keyword rule highlights even in the muted room (content rules come before room rules).
    await call(bob, "PUT", "/_matrix/client/v3/pushrules/global/content/cake", { pattern: "cake", actions: ["notify", { set_tweak: "highlight" }] });
    await send(alice, roomId, { msgtype: "m.text", body: "there is CAKE here" });
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 1 });
    // The master rule silences everything.
    await call(bob, "PUT", "/_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled", { enabled: true });
    await send(alice, roomId, { msgtype: "m.text", body: "cake again" });
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(2);
  });

  it("partitions counts by thread when the filter asks, and a threaded receipt resets its thread only", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, await registerTestUser(app.http));
    const root = await send(alice, roomId, { msgtype: "m.text", body: "thread root" });
    const inThread = { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: root } };
    await send(alice, roomId, inThread);
    const lastInThread = await send(alice, roomId, inThread);
    const threaded = { room: { timeline: { unread_thread_notifications: true } } };
    const room = await roomOf(bob, roomId, threaded);
    expect(room.unread_notifications).toEqual({ notification_count: 1, highlight_count: 0 });
    expect(room.unread_thread_notifications).toEqual({ [root]: { notification_count: 2, highlight_count: 0 } });
    // Without the filter flag, one total.
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(3);

    await receipt(bob, roomId, lastInThread, root);
    const afterThreadReceipt = await roomOf(bob, roomId, threaded);
    expect(afterThreadReceipt.unread_thread_notifications).toEqual({});
    expect(afterThreadReceipt.unread_notifications.notification_count).toBe(1);
    await receipt(bob, roomId, root, "main");
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(0);
  });

  it("sending an event marks what came before it in its thread as read, as the spec says", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, await registerTestUser(app.http));
    const root = await send(alice, roomId, { msgtype: "m.text", body: "root" });
    await send(alice, roomId, { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: root } });
    await send(alice, roomId, { msgtype: "m.text", body: "main again" });
    const threaded = { room: { timeline: { unread_thread_notifications: true } } };
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(3);

    // A reply in the main timeline reads the main timeline only.
    await send(bob, roomId, { msgtype: "m.text", body: "bob answers" });
    let room = await roomOf(bob, roomId, threaded);
    expect(room.unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    expect(room.unread_thread_notifications).toEqual({ [root]: { notification_count: 1, highlight_count: 0 } });
    // A reaction is an event too; in the thread it reads the thread.
    const inThread = await send(alice, roomId, { msgtype: "m.text", body: "more", "m.relates_to": { rel_type: "m.thread", event_id: root } });
    await send(bob, roomId, { "m.relates_to": { rel_type: "m.annotation", event_id: inThread, key: "👍" } }, "m.reaction");
    room = await roomOf(bob, roomId, threaded);
    expect(room.unread_thread_notifications).toEqual({});
    // What comes after counts again; GET /notifications shows what came before as read.
    await send(alice, roomId, { msgtype: "m.text", body: "after" });
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(1);
    const listed = (await call(bob, "GET", "/_matrix/client/v3/notifications")).notifications as Array<{ read: boolean; room_id: string }>;
    expect(listed.filter((n) => n.room_id === roomId).map((n) => n.read)).toEqual([false, true, true, true, true]);
  });

  it("an incremental sync carries the new count with the event itself, also when members share a response", async () => {
    const [alice, bob, carol] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, carol);
    const tokens = await Promise.all([bob, carol].map(async (u) => (await call(u, "GET", "/_matrix/client/v3/sync")).next_batch as string));
    await send(alice, roomId, { msgtype: "m.text", body: "for both", "m.mentions": { user_ids: [carol.userId] } });
    const [bobRoom, carolRoom] = await Promise.all(
      [bob, carol].map(async (u, i) => (await call(u, "GET", `/_matrix/client/v3/sync?since=${tokens[i]}&timeout=5000`)).rooms.join[roomId]),
    );
    expect(bobRoom.timeline.events.map((e: { content: { body?: string } }) => e.content.body)).toContain("for both");
    expect(bobRoom.unread_notifications).toEqual({ notification_count: 1, highlight_count: 0 });
    expect(carolRoom.unread_notifications).toEqual({ notification_count: 1, highlight_count: 1 });
  });

  it("a member counts from when they joined: not what came before, nor what came while they were away", async () => {
    const [alice, bob, carol] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob);
    await send(alice, roomId, { msgtype: "m.text", body: "before carol" });
    await call(carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    await send(alice, roomId, { msgtype: "m.text", body: "after carol joined" });
    expect((await roomOf(carol, roomId)).unread_notifications).toEqual({ notification_count: 1, highlight_count: 0 });
    expect((await roomOf(bob, roomId)).unread_notifications.notification_count).toBe(2);

    await call(carol, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
    await send(alice, roomId, { msgtype: "m.text", body: "while carol was away" });
    await call(carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    const back = await send(alice, roomId, { msgtype: "m.text", body: "carol is back" });
    expect((await roomOf(carol, roomId)).unread_notifications).toEqual({ notification_count: 1, highlight_count: 0 });
    const listed = (await call(carol, "GET", "/_matrix/client/v3/notifications")).notifications as Array<{ event: { event_id: string }; room_id: string }>;
    expect(listed.filter((n) => n.room_id === roomId).map((n) => n.event.event_id)).toEqual([back]);
  });

  it("a member with rules of their own, one named by display name and one on the defaults each get their own outcome", async () => {
    const [alice, bob, carol, dave] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, carol, dave);
    // Bob mutes the room (a room rule without notify), as Element's "mute" does.
    await call(bob, "PUT", `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`, { actions: [] });
    await call(carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.member/${enc(carol.userId)}`, { membership: "join", displayname: "Captain Carol" });
    await send(alice, roomId, { msgtype: "m.text", body: "ahoy captain carol" });
    await send(alice, roomId, { msgtype: "m.text", body: "plain" });
    expect((await roomOf(bob, roomId)).unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
    expect((await roomOf(carol, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 1 });
    expect((await roomOf(dave, roomId)).unread_notifications).toEqual({ notification_count: 2, highlight_count: 0 });
    // A room row per message; only bob (muted) and carol (named) have rows of their own.
    const { rows } = await sql<{ user_id: string }>`SELECT user_id FROM event_push_actions WHERE room_id = ${roomId}`.execute(app.ctx.db);
    expect(rows.map((r) => r.user_id).sort()).toEqual([bob.userId, bob.userId, carol.userId].sort());
    const shared = await sql<{ n: string }>`SELECT count(*) AS n FROM event_push_room_actions WHERE room_id = ${roomId}`.execute(app.ctx.db);
    expect(Number(shared.rows[0].n)).toBe(2);
  });

  it("GET /notifications lists what notified the user, newest first, with only=highlight and pages", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomWith(alice, bob, await registerTestUser(app.http));
    const first = await send(alice, roomId, { msgtype: "m.text", body: "one" });
    const mention = await send(alice, roomId, { msgtype: "m.text", body: "two", "m.mentions": { user_ids: [bob.userId] } });
    const third = await send(alice, roomId, { msgtype: "m.text", body: "three" });
    await receipt(bob, roomId, first);
    const all = await call(bob, "GET", "/_matrix/client/v3/notifications");
    expect(all.notifications.map((n: { event: { event_id: string } }) => n.event.event_id)).toEqual([third, mention, first]);
    expect(all.notifications.map((n: { read: boolean }) => n.read)).toEqual([false, false, true]);
    expect(specErrors("GET", "/_matrix/client/v3/notifications", 200, all)).toEqual([]);
    expect(all.notifications[0]).toMatchObject({ room_id: roomId, actions: ["notify"], event: { content: { body: "three" } } });
    const highlights = await call(bob, "GET", "/_matrix/client/v3/notifications?only=highlight");
    expect(highlights.notifications.map((n: { event: { event_id: string } }) => n.event.event_id)).toEqual([mention]);
    const page = await call(bob, "GET", "/_matrix/client/v3/notifications?limit=2");
    expect(page.notifications).toHaveLength(2);
    const rest = await call(bob, "GET", `/_matrix/client/v3/notifications?limit=2&from=${page.next_token}`);
    expect(rest.notifications.map((n: { event: { event_id: string } }) => n.event.event_id)).toEqual([first]);
    const bad = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/notifications?from=x", headers: bearer(bob) });
    expect(bad.statusCode).toBe(400);
  });
});
