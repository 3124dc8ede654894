import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../testing/http-users.js";

const V3 = "/_matrix/client/v3";

interface Event {
  event_id: string;
  type: string;
  sender: string;
  state_key?: string;
}

/** The spec's "Ignoring users", through the client API as a client uses it. */
describe.each(testDrivers())("ignoring users on %s", (driver) => {
  const { app } = useTestApp(driver);
  let alice: TestUser;
  let bob: TestUser;
  let txn = 0;

  const roomUrl = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;

  async function call(who: TestUser, method: "GET" | "PUT" | "POST", url: string, payload?: unknown, query: Record<string, string> = {}) {
    const response = await app.http.inject({ method, url, headers: bearer(who), payload: payload as object, query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const send = async (who: TestUser, roomId: string, body: string) =>
    (await call(who, "PUT", `${roomUrl(roomId)}/send/m.room.message/ign${txn++}`, { msgtype: "m.text", body })).event_id as string;
  const ignore = (who: TestUser, ...users: TestUser[]) =>
    call(who, "PUT", `${V3}/user/${encodeURIComponent(who.userId)}/account_data/m.ignored_user_list`, {
      ignored_users: Object.fromEntries(users.map((u) => [u.userId, {}])),
    });
  const sync = (who: TestUser, since?: string) => call(who, "GET", `${V3}/sync`, undefined, since ? { since, timeout: "0" } : { timeout: "0" });
  const timelineOf = (response: any, roomId: string): Event[] => response.rooms?.join?.[roomId]?.timeline?.events ?? [];

  async function sharedRoom(): Promise<string> {
    const { room_id: roomId } = await call(alice, "POST", `${V3}/createRoom`, { preset: "public_chat" });
    await call(bob, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
    return roomId;
  }

  beforeAll(async () => {
    [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
  });

  it("leaves an ignored user's messages out of sync, /messages and /context, and keeps their state events", async () => {
    const roomId = await sharedRoom();
    const before = await send(bob, roomId, "before ignoring");
    await ignore(alice, bob);
    try {
      const since = (await sync(alice)).next_batch;
      const message = await send(bob, roomId, "ignored");
      // A state event of bob's: his own display name in the room.
      const renamed = (await call(bob, "PUT", `${roomUrl(roomId)}/state/m.room.member/${encodeURIComponent(bob.userId)}`, { membership: "join", displayname: "Bob renamed" }))
        .event_id as string;
      const own = await send(alice, roomId, "mine");

      const incremental = timelineOf(await sync(alice, since), roomId).map((e) => e.event_id);
      expect(incremental).toEqual([renamed, own]);
      const initial = timelineOf(await sync(alice), roomId).map((e) => e.event_id);
      expect(initial).not.toContain(message);
      expect(initial).not.toContain(before);
      expect(initial).toContain(renamed);

      const page = await call(alice, "GET", `${roomUrl(roomId)}/messages`, undefined, { dir: "b", limit: "50" });
      const paged = (page.chunk as Event[]).map((e) => e.event_id);
      expect(paged).toContain(renamed);
      expect(paged).not.toContain(message);
      expect(paged).not.toContain(before);
      // Bob's state stays in the room as alice sees it.
      const state = (await call(alice, "GET", `${roomUrl(roomId)}/state`)) as Event[];
      expect(state.find((e) => e.type === "m.room.member" && e.state_key === bob.userId)?.event_id).toBe(renamed);

      const around = await app.http.inject({ method: "GET", url: `${roomUrl(roomId)}/context/${encodeURIComponent(message)}`, headers: bearer(alice) });
      // As for any event the reader may not see (Synapse answers the same).
      expect(around.statusCode).toBe(403);
      const context = await call(alice, "GET", `${roomUrl(roomId)}/context/${encodeURIComponent(own)}`, undefined, { limit: "10" });
      expect((context.events_before as Event[]).map((e) => e.event_id)).not.toContain(message);

      // Bob, who ignores nobody, sees everything.
      expect(timelineOf(await sync(bob, since), roomId).map((e) => e.event_id)).toEqual([message, renamed, own]);
    } finally {
      await ignore(alice);
    }
  });

  it("sends the ignored user's messages again once they are no longer ignored, but not those sent meanwhile", async () => {
    const roomId = await sharedRoom();
    await ignore(alice, bob);
    const since = (await sync(alice)).next_batch;
    const missed = await send(bob, roomId, "while ignored");
    await ignore(alice);
    const afterwards = await send(bob, roomId, "after");
    const ids = timelineOf(await sync(alice, since), roomId).map((e) => e.event_id);
    expect(ids).toContain(afterwards);
    const page = await call(alice, "GET", `${roomUrl(roomId)}/messages`, undefined, { dir: "b", limit: "50" });
    // Nothing is lost on the server: a fresh read after un-ignoring has the missed message too.
    expect((page.chunk as Event[]).map((e) => e.event_id)).toContain(missed);
  });

  it("does not count an ignored user's messages as notifications, even mentions", async () => {
    const roomId = await sharedRoom();
    await ignore(alice, bob);
    try {
      await call(bob, "PUT", `${roomUrl(roomId)}/send/m.room.message/ign${txn++}`, {
        msgtype: "m.text",
        body: `hey ${alice.userId}`,
        "m.mentions": { user_ids: [alice.userId] },
      });
      const room = (await sync(alice)).rooms.join[roomId];
      expect(room.unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
      const listed = await call(alice, "GET", `${V3}/notifications`);
      expect((listed.notifications as Array<{ room_id: string }>).filter((n) => n.room_id === roomId)).toEqual([]);
    } finally {
      await ignore(alice);
    }
  });

  it("does not send invites from an ignored user", async () => {
    await ignore(alice, bob);
    try {
      const since = (await sync(alice)).next_batch;
      const { room_id: roomId } = await call(bob, "POST", `${V3}/createRoom`, { preset: "private_chat" });
      await call(bob, "POST", `${roomUrl(roomId)}/invite`, { user_id: alice.userId });
      expect((await sync(alice, since)).rooms?.invite?.[roomId]).toBeUndefined();
      expect((await sync(alice)).rooms?.invite?.[roomId]).toBeUndefined();
    } finally {
      await ignore(alice);
    }
  });
});
