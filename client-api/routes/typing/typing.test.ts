import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";
import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";

const SYNC = "/_matrix/client/v3/sync";

describe.each(testDrivers())("typing notifications on %s", (driver) => {
  const clock = { t: Date.now(), now: () => clock.t };
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { clock, users: 2 });
  let roomId: string;
  beforeAll(async () => {
    roomId = (await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(alice), payload: { preset: "public_chat" } })).json().room_id;
    expect((await app.http.inject({ method: "POST", url: `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, headers: bearer(bob), payload: {} })).statusCode).toBe(200);
  });

  const setTyping = (user: TestUser, payload: unknown, target = user.userId, room = roomId) =>
    app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/typing/${encodeURIComponent(target)}`,
      headers: bearer(user),
      payload: payload as object,
    });
  const sync = async (user: TestUser, since?: string, timeout = 0): Promise<SyncResponse> => {
    const query: Record<string, string> = { timeout: String(timeout) };
    if (since) query.since = since;
    const response = await app.http.inject({ method: "GET", url: SYNC, query, headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    const body = response.json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    return body;
  };
  const typingIn = (body: SyncResponse): string[] | undefined => {
    const event = body.rooms?.join?.[roomId]?.ephemeral.events.find((e) => e.type === "m.typing");
    return event ? (event.content.user_ids as string[]) : undefined;
  };

  it("a member's typing appears in every member's sync as m.typing, and stopping sends the emptied list once", async () => {
    const before = await sync(bob);
    const started = await setTyping(alice, { typing: true, timeout: 10_000 });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toEqual({});
    expect(specErrors("/_matrix/client/v3/rooms/{roomId}/typing/{userId}", "PUT", 200, started.json())).toEqual([]);

    const incremental = await sync(bob, before.next_batch);
    expect(typingIn(incremental)).toEqual([alice.userId]);
    expect(typingIn(await sync(bob))).toEqual([alice.userId]);
    expect(typingIn(await sync(alice))).toEqual([alice.userId]);

    expect((await setTyping(alice, { typing: false })).statusCode).toBe(200);
    const stopped = await sync(bob, incremental.next_batch);
    expect(typingIn(stopped)).toEqual([]);
    // Nothing new afterwards, and an initial sync leaves out rooms where nobody types.
    expect(typingIn(await sync(bob, stopped.next_batch))).toBeUndefined();
    expect(typingIn(await sync(bob))).toBeUndefined();
  });

  it("a waiting long-poll wakes when someone starts typing", async () => {
    const before = await sync(bob);
    const waiting = sync(bob, before.next_batch, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await setTyping(alice, { typing: true });
    expect(typingIn(await waiting)).toEqual([alice.userId]);
    await setTyping(alice, { typing: false });
  });

  it("the server ends typing when the timeout runs out: the next incremental sync shows the user gone", async () => {
    await setTyping(alice, { typing: true, timeout: 5_000 });
    const typing = await sync(bob);
    expect(typingIn(typing)).toEqual([alice.userId]);

    clock.t += 4_999;
    await app.ctx.edus.typing.expire();
    expect(typingIn(await sync(bob, typing.next_batch))).toBeUndefined();

    clock.t += 2;
    await app.ctx.edus.typing.expire();
    expect(typingIn(await sync(bob, typing.next_batch))).toEqual([]);
  });

  it("renewing extends the typing; the timeout is 30 s when absent and capped at 120 s", async () => {
    await setTyping(bob, { typing: true });
    clock.t += 25_000;
    await setTyping(bob, { typing: true });
    clock.t += 25_000;
    await app.ctx.edus.typing.expire();
    expect(typingIn(await sync(alice))).toEqual([bob.userId]);
    clock.t += 5_001;
    await app.ctx.edus.typing.expire();
    expect(typingIn(await sync(alice))).toBeUndefined();

    await setTyping(bob, { typing: true, timeout: 3_600_000 });
    clock.t += 120_000;
    await app.ctx.edus.typing.expire();
    expect(typingIn(await sync(alice))).toBeUndefined();
  });

  it("refuses to set another user's typing with 403 M_FORBIDDEN", async () => {
    const response = await setTyping(alice, { typing: true }, bob.userId);
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("refuses a user who is not joined to the room with 403 M_FORBIDDEN, and an unknown room too", async () => {
    const stranger = await registerTestUser(app.http);
    const response = await setTyping(stranger, { typing: true });
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
    expect((await setTyping(stranger, { typing: true }, stranger.userId, "!nowhere:test.local")).json().errcode).toBe("M_FORBIDDEN");
    expect(typingIn(await sync(alice))).toBeUndefined();
  });

  it("refuses a bad body with 400 M_BAD_JSON, and no body with M_NOT_JSON", async () => {
    for (const payload of [{}, { typing: "yes" }, { typing: true, timeout: "long" }, { typing: true, timeout: 1.5 }, [true]]) {
      const response = await setTyping(alice, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
    }
    const empty = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(alice.userId)}`,
      headers: bearer(alice),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errcode).toBe("M_NOT_JSON");
  });

  it("requires an access token", async () => {
    const response = await app.http.inject({ method: "PUT", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(alice.userId)}`, payload: { typing: true } });
    expect(response.statusCode).toBe(401);
  });
});
