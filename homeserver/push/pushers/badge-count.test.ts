import { describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { createTestRoom, joinTestRoom } from "../../rooms/testing/http-rooms.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { BadgeCount } from "./badge-count.js";

const enc = encodeURIComponent;

describe.each(testDrivers())("badges read together on %s", (driver) => {
  const { app } = useTestApp(driver);
  let txn = 0;
  const send = async (who: TestUser, roomId: string) => {
    const response = await app.http.inject({ method: "PUT", url: `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/b${++txn}`, headers: bearer(who), payload: { msgtype: "m.text", body: "hi" } });
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
      expect(await Promise.all(users.map((u) => shared.of(u))), `grouped by room: ${groupByRoom}`).toEqual(expected);
      const oneByOne: number[] = [];
      for (const u of users) oneByOne.push(await shared.of(u));
      expect(oneByOne).toEqual(expected);
      expect(await Promise.all(users.map((u) => badges(groupByRoom).of(u)))).toEqual(expected);
    }
  });
});
