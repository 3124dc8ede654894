import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import type { Requester } from "../../users/requester.js";
import { eventually, localUser, startLoopbackServer, type LoopbackServer } from "../../app/testing/loopback-server.js";

describe.each(testDrivers())("typing between two servers (%s)", (driver) => {
  let a: LoopbackServer;
  let b: LoopbackServer;
  let alice: Requester;
  let bob: Requester;
  let roomId: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([startLoopbackServer(driver), startLoopbackServer(driver)]);
    alice = await localUser(a, "alice");
    bob = await localUser(b, "bob");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
  });
  afterAll(() => Promise.all([a?.app.dispose(), b?.app.dispose()]));

  /** The m.typing user ids `viewer` gets in an initial sync on `server`, once they equal `expected`. */
  const typingSeen = (server: LoopbackServer, viewer: Requester, expected: string[]) =>
    eventually(async () => {
      const sync = await server.app.ctx.sync.sync(viewer, {});
      const event = sync.rooms?.join?.[roomId]?.ephemeral.events.find((e) => e.type === "m.typing");
      const userIds = (event?.content.user_ids as string[] | undefined) ?? [];
      return JSON.stringify(userIds) === JSON.stringify(expected) ? userIds : undefined;
    }, `${viewer.userId} sees ${JSON.stringify(expected)} typing`);

  it("a remote user's typing reaches the room's server and stops there too", async () => {
    await b.app.ctx.edus.typing.setTyping(bob, roomId, bob.userId, true, 30_000);
    expect(await typingSeen(a, alice, [bob.userId])).toEqual([bob.userId]);
    await b.app.ctx.edus.typing.setTyping(bob, roomId, bob.userId, false);
    expect(await typingSeen(a, alice, [])).toEqual([]);
  });

  it("typing on the room's server reaches the joined remote user", async () => {
    await a.app.ctx.edus.typing.setTyping(alice, roomId, alice.userId, true, 30_000);
    expect(await typingSeen(b, bob, [alice.userId])).toEqual([alice.userId]);
    await a.app.ctx.edus.typing.setTyping(alice, roomId, alice.userId, false);
    expect(await typingSeen(b, bob, [])).toEqual([]);
  });

  it("refuses an m.typing EDU about a user of another server than its origin, or one not joined to the room", async () => {
    await expect(a.app.ctx.edus.typing.receiveEdu(b.name, { room_id: roomId, user_id: alice.userId, typing: true })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await expect(a.app.ctx.edus.typing.receiveEdu(b.name, { room_id: roomId, user_id: `@carol:${b.name}`, typing: true })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await expect(a.app.ctx.edus.typing.receiveEdu(b.name, { room_id: roomId, user_id: bob.userId })).rejects.toMatchObject({ errcode: "M_BAD_JSON" });

    // Through a real signed transaction: accepted as a transaction, the EDU itself ignored.
    const edu = { edu_type: "m.typing", content: { room_id: roomId, user_id: alice.userId, typing: true } };
    const answer = await b.app.ctx.federation.client.request({
      method: "PUT",
      destination: a.name,
      path: `/_matrix/federation/v1/send/forged-typing-${driver}`,
      body: { origin: b.name, origin_server_ts: Date.now(), pdus: [], edus: [edu] },
    });
    expect(answer).toEqual({ pdus: {} });
    expect(a.app.ctx.edus.typing.rooms.users(roomId)).not.toContain(alice.userId);
  });
});
