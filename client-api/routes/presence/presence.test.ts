import { describe, expect, it } from "vitest";
import { testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";
import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";

const SYNC = "/_matrix/client/v3/sync";
const STATUS = "/_matrix/client/v3/presence/{userId}/status";
const statusUrl = (userId: string) => `/_matrix/client/v3/presence/${encodeURIComponent(userId)}/status`;
const MINUTE = 60_000;

function presenceClient(getApp: () => TestApp) {
  const setPresence = (user: TestUser, payload: unknown, target = user.userId) =>
    getApp().http.inject({ method: "PUT", url: statusUrl(target), headers: bearer(user), payload: payload as object });
  const getPresence = (user: TestUser, target: string) => getApp().http.inject({ method: "GET", url: statusUrl(target), headers: bearer(user) });
  const sync = async (user: TestUser, options: { since?: string; setPresence?: string } = {}): Promise<SyncResponse> => {
    const query: Record<string, string> = { timeout: "0" };
    if (options.since) query.since = options.since;
    if (options.setPresence) query.set_presence = options.setPresence;
    const response = await getApp().http.inject({ method: "GET", url: SYNC, query, headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    const body = response.json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    return body;
  };
  const sharedRoom = async (owner: TestUser, ...members: TestUser[]) => {
    const app = getApp();
    const roomId = (await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(owner), payload: { preset: "public_chat" } })).json().room_id as string;
    for (const member of members) {
      const joined = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, headers: bearer(member), payload: {} });
      expect(joined.statusCode).toBe(200);
    }
    return roomId;
  };
  return { setPresence, getPresence, sync, sharedRoom };
}

/** The content of `userId`'s m.presence in a sync response, if there is one. */
function presenceOf(body: SyncResponse, userId: string): Record<string, unknown> | undefined {
  const events = (body.presence?.events ?? []) as Array<{ type: string; sender?: string; content: Record<string, unknown> }>;
  const found = events.filter((e) => e.type === "m.presence" && e.sender === userId);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.content;
}

describe.each(testDrivers())("presence on %s", (driver) => {
  const clock = { t: Date.now(), now: () => clock.t };
  const { app } = useTestApp(driver, { clock });
  const { setPresence, getPresence, sync, sharedRoom } = presenceClient(() => app);

  it("PUT online with a status message: a room-mate sees it in sync (initial and incremental) and through GET", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(alice, bob);
    const before = await sync(bob, { setPresence: "offline" });

    const put = await setPresence(alice, { presence: "online", status_msg: "In a meeting" });
    expect(put.statusCode).toBe(200);
    expect(specErrors(STATUS, "PUT", 200, put.json())).toEqual([]);
    const expected = { presence: "online", last_active_ago: 0, currently_active: true, status_msg: "In a meeting" };
    expect(presenceOf(await sync(bob, { since: before.next_batch, setPresence: "offline" }), alice.userId)).toEqual(expected);
    expect(presenceOf(await sync(bob, { setPresence: "offline" }), alice.userId)).toEqual(expected);

    const got = await getPresence(bob, alice.userId);
    expect(got.statusCode).toBe(200);
    expect(specErrors(STATUS, "GET", 200, got.json())).toEqual([]);
    expect(got.json()).toEqual(expected);

    // Without status_msg the message is cleared, as in Synapse.
    await setPresence(alice, { presence: "unavailable" });
    expect((await getPresence(alice, alice.userId)).json()).toEqual({ presence: "unavailable", last_active_ago: 0 });
  });

  it("set_presence on /sync: absent brings the user online, unavailable marks them idle, offline leaves presence alone", async () => {
    const [carol, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(bob, carol);
    await sync(carol, { setPresence: "offline" });
    expect((await getPresence(bob, carol.userId)).json()).toEqual({ presence: "offline" });
    await sync(carol);
    expect((await getPresence(bob, carol.userId)).json()).toEqual({ presence: "online", last_active_ago: 0, currently_active: true });
    await sync(carol, { setPresence: "unavailable" });
    expect((await getPresence(bob, carol.userId)).json()).toMatchObject({ presence: "unavailable" });
    await sync(carol, { setPresence: "offline" });
    expect((await getPresence(bob, carol.userId)).json()).toMatchObject({ presence: "unavailable" });
  });

  it("with no write at all, timeouts move a user online -> unavailable (idle while syncing) -> offline (no more syncs)", async () => {
    const [dave, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(bob, dave);
    const start = clock.t;
    await sync(dave);
    let bobSince = (await sync(bob, { setPresence: "offline" })).next_batch;
    const bobSees = async () => {
      const body = await sync(bob, { since: bobSince, setPresence: "offline" });
      bobSince = body.next_batch;
      return presenceOf(body, dave.userId);
    };
    expect(await bobSees()).toBeUndefined();

    // Dave keeps syncing but does nothing: currently_active ends after a minute, idleness after five.
    for (let minute = 1; minute <= 5; minute++) {
      clock.t = start + minute * MINUTE;
      await sync(dave);
      await app.ctx.edus.presence.sweep();
      const seen = await bobSees();
      if (minute === 1) expect(seen).toEqual({ presence: "online", last_active_ago: MINUTE, currently_active: false });
      else expect(seen).toBeUndefined();
    }
    clock.t = start + 5 * MINUTE + 1;
    await app.ctx.edus.presence.sweep();
    expect(await bobSees()).toEqual({ presence: "unavailable", last_active_ago: 5 * MINUTE + 1 });

    // Dave's client stops. His last long-poll may run for sync.max_timeout_ms, then 30 s more.
    const lastSync = start + 5 * MINUTE;
    const offlineAfter = lastSync + app.ctx.config.sync.max_timeout_ms + app.ctx.config.presence.sync_online_timeout_ms;
    clock.t = offlineAfter;
    await app.ctx.edus.presence.sweep();
    expect(await bobSees()).toBeUndefined();
    clock.t = offlineAfter + 1;
    await app.ctx.edus.presence.sweep();
    expect(await bobSees()).toEqual({ presence: "offline", last_active_ago: clock.t - start });
    // An offline user without a status is left out of an initial sync, as Synapse does.
    expect(presenceOf(await sync(bob, { setPresence: "offline" }), dave.userId)).toBeUndefined();
  });

  it("last_active_ago grows with the clock; currently_active holds for last_active_granularity_ms after an action", async () => {
    const [erin, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(erin, bob);
    await setPresence(erin, { presence: "online" });
    clock.t += 59_000;
    expect((await getPresence(bob, erin.userId)).json()).toEqual({ presence: "online", last_active_ago: 59_000, currently_active: true });
    clock.t += 1_000;
    expect((await getPresence(bob, erin.userId)).json()).toEqual({ presence: "online", last_active_ago: 60_000, currently_active: false });
  });

  it("typing is an action: an idle user is online and active again", async () => {
    const [frank, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await sharedRoom(frank, bob);
    await setPresence(frank, { presence: "unavailable" });
    const typed = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(frank.userId)}`,
      headers: bearer(frank),
      payload: { typing: true },
    });
    expect(typed.statusCode).toBe(200);
    expect((await getPresence(bob, frank.userId)).json()).toEqual({ presence: "online", last_active_ago: 0, currently_active: true });
  });

  it("presence is shown only to users who share a joined room: a stranger's sync never has it and GET answers 403", async () => {
    const [grace, bob, stranger] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(grace, bob);
    await sharedRoom(stranger);
    const strangerBefore = await sync(stranger, { setPresence: "offline" });
    await setPresence(grace, { presence: "online", status_msg: "hello" });
    expect(presenceOf(await sync(stranger, { since: strangerBefore.next_batch, setPresence: "offline" }), grace.userId)).toBeUndefined();
    expect(presenceOf(await sync(stranger, { setPresence: "offline" }), grace.userId)).toBeUndefined();

    const refused = await getPresence(stranger, grace.userId);
    expect(refused.statusCode).toBe(403);
    expect(specErrors(STATUS, "GET", 403, refused.json())).toEqual([]);
    expect(refused.json().errcode).toBe("M_FORBIDDEN");
    expect((await getPresence(stranger, "@nobody:test.local")).statusCode).toBe(403);
    // Users see their own presence.
    expect((await getPresence(grace, grace.userId)).json()).toMatchObject({ presence: "online", status_msg: "hello" });
  });

  it("joining a room brings the members' current presence to the joiner and the joiner's to them, though nobody's changed", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await setPresence(alice, { presence: "online", status_msg: "here" });
    await setPresence(bob, { presence: "unavailable", status_msg: "busy" });
    const roomId = await sharedRoom(alice);
    const aliceBefore = await sync(alice, { setPresence: "offline" });
    const bobBefore = await sync(bob, { setPresence: "offline" });
    expect(presenceOf(bobBefore, alice.userId)).toBeUndefined();

    const joined = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, headers: bearer(bob), payload: {} });
    expect(joined.statusCode).toBe(200);
    expect(presenceOf(await sync(bob, { since: bobBefore.next_batch, setPresence: "offline" }), alice.userId)).toMatchObject({ presence: "online", status_msg: "here" });
    expect(presenceOf(await sync(alice, { since: aliceBefore.next_batch, setPresence: "offline" }), bob.userId)).toMatchObject({ presence: "unavailable", status_msg: "busy" });
  });

  it("refuses to set another user's presence with 403 M_FORBIDDEN", async () => {
    const [mallory, victim] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const response = await setPresence(mallory, { presence: "offline" }, victim.userId);
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("refuses a bad body with 400 M_BAD_JSON and a bad user id with M_INVALID_PARAM", async () => {
    const user = await registerTestUser(app.http);
    for (const payload of [{}, { presence: "away" }, { presence: "online", status_msg: 5 }, { presence: "online", mood: "happy" }, ["online"]]) {
      const response = await setPresence(user, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
    }
    const badId = await getPresence(user, "not-a-user");
    expect(badId.statusCode).toBe(400);
    expect(badId.json().errcode).toBe("M_INVALID_PARAM");
  });
});

describe.each(testDrivers())("presence disabled by config on %s", (driver) => {
  const { app } = useTestApp(driver, { config: { presence: { enabled: false } } });
  const { setPresence, getPresence, sync, sharedRoom } = presenceClient(() => app);

  it("PUT is accepted and ignored, GET answers offline, and sync carries no presence", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await sharedRoom(alice, bob);
    const before = await sync(bob);
    expect((await setPresence(alice, { presence: "online", status_msg: "here" })).statusCode).toBe(200);
    await sync(alice);
    expect((await getPresence(bob, alice.userId)).json()).toEqual({ presence: "offline" });
    expect((await getPresence(alice, alice.userId)).json()).toEqual({ presence: "offline" });
    expect((await sync(bob, { since: before.next_batch })).presence).toBeUndefined();
    expect((await sync(bob)).presence).toBeUndefined();
    // Still only for oneself.
    expect((await setPresence(bob, { presence: "online" }, alice.userId)).statusCode).toBe(403);
  });

  it("m.presence EDUs from other servers are dropped", async () => {
    const remote = "@someone:remote.example";
    await app.ctx.edus.presence.receiveEdu("remote.example", { push: [{ user_id: remote, presence: "online", last_active_ago: 0 }] });
    expect(app.ctx.edus.presence.contentFor(remote, Date.now())).toEqual({ presence: "offline" });
  });
});
