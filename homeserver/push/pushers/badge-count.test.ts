import { describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { createTestRoom, joinTestRoom } from "../../rooms/testing/http-rooms.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { BadgeCount, type Badge } from "./badge-count.js";

const enc = encodeURIComponent;

describe.each(testDrivers())("badges read together on %s", (driver) => {
  const { app } = useTestApp(driver);
  let txn = 0;
  const send = async (who: TestUser, roomId: string, type = "m.room.message", content: Record<string, unknown> = { msgtype: "m.text", body: "hi" }) => {
    const response = await app.http.inject({ method: "PUT", url: `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/b${++txn}`, headers: bearer(who), payload: content });
    expect(response.statusCode).toBe(200);
    return response.json().event_id as string;
  };
  const post = async (who: TestUser, url: string, payload: Record<string, unknown> = {}) => {
    const response = await app.http.inject({ method: "POST", url: `/_matrix/client/v3${url}`, headers: bearer(who), payload });
    expect(response.statusCode).toBe(200);
  };
  const badges = (groupByRoom: boolean) =>
    new BadgeCount({ rooms: app.ctx.stores.rooms, pushActions: app.ctx.stores.pushActions, position: () => app.ctx.streams.events.current, groupByRoom: () => groupByRoom });

  it("give each user the badge of their own rooms and invites, as reading them one by one does", async () => {
    const [sender, inBoth, inOne, invited, inNone] = await Promise.all([0, 1, 2, 3, 4].map(() => registerTestUser(app.http)));
    const first = await createTestRoom(app.http, sender, { preset: "public_chat" });
    const second = await createTestRoom(app.http, sender, { preset: "public_chat" });
    await joinTestRoom(app.http, inBoth, first);
    await joinTestRoom(app.http, inBoth, second);
    await joinTestRoom(app.http, inOne, second);
    const invite = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${enc(first)}/invite`, headers: bearer(sender), payload: { user_id: invited.userId } });
    expect(invite.statusCode).toBe(200);
    for (let i = 0; i < 3; i++) await send(sender, first);
    await send(sender, second);
    const users = [inBoth, inOne, invited, inNone, inBoth].map((u) => u.userId);
    for (const [groupByRoom, expected] of [
      [true, [2, 1, 1, 0, 2]],
      [false, [4, 1, 1, 0, 4]],
    ] as const) {
      // One reader for all: the five are read in one batch. Then one by one, and each by a reader of its own.
      const shared = badges(groupByRoom);
      const unread = async (read: Promise<Badge>) => (await read).unread;
      expect(await Promise.all(users.map((u) => unread(shared.of(u)))), `grouped by room: ${groupByRoom}`).toEqual(expected);
      const oneByOne: number[] = [];
      for (const u of users) oneByOne.push(await unread(shared.of(u)));
      expect(oneByOne).toEqual(expected);
      expect(await Promise.all(users.map((u) => unread(badges(groupByRoom).of(u))))).toEqual(expected);
    }
  });

  it("count missed calls: call invites from others not yet read, answered or redacted", async () => {
    const [caller, callee, other] = await Promise.all([0, 1, 2].map(() => registerTestUser(app.http)));
    const room = await createTestRoom(app.http, caller, { preset: "public_chat" });
    await joinTestRoom(app.http, callee, room);
    await joinTestRoom(app.http, other, room);
    const invite = (callId: string) => ({ call_id: callId, lifetime: 60_000, offer: { type: "offer", sdp: "v=0" }, version: 1, party_id: "caller" });
    const reader = badges(true);
    const missed = async (who: TestUser) => (await reader.of(who.userId)).missedCalls;
    const first = await send(caller, room, "m.call.invite", invite("c1"));
    await send(caller, room, "m.call.hangup", { call_id: "c1", version: 1, party_id: "caller" });
    const second = await send(caller, room, "m.call.invite", invite("c2"));
    expect([await missed(callee), await missed(other), await missed(caller)]).toEqual([2, 2, 0]);
    // The callee reads up to the first call; the other member answers the second (their own event reads it).
    await post(callee, `/rooms/${enc(room)}/receipt/m.read/${enc(first)}`);
    await send(other, room, "m.call.answer", { call_id: "c2", answer: { type: "answer", sdp: "v=0" }, version: 1, party_id: "other" });
    expect([await missed(callee), await missed(other)]).toEqual([1, 0]);
    // A redacted invite is no missed call.
    await app.http.inject({ method: "PUT", url: `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc(second)}/r${++txn}`, headers: bearer(caller), payload: {} });
    expect(await missed(callee)).toBe(0);
  });
});
