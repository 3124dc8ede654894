import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../app/test-app.js";
import { localUser, startLoopbackServer, type LoopbackServer } from "../app/testing/loopback-server.js";
import type { Requester } from "../users/requester.js";

/** createRoom's `invite` naming a user of another server, between two servers on loopback. */
describe.each(testDrivers())("createRoom inviting a remote user (%s)", (driver) => {
  let a: LoopbackServer;
  let b: LoopbackServer;
  let alice: Requester;

  beforeAll(async () => {
    [a, b] = await Promise.all([startLoopbackServer(driver, { federationSender: false }), startLoopbackServer(driver, { federationSender: false })]);
    alice = await localUser(a, "alice");
  });
  afterAll(async () => {
    await Promise.all([a?.app.dispose(), b?.app.dispose()]);
  });

  const roomCount = async (server: LoopbackServer) =>
    Number((await server.app.ctx.db.selectFrom("rooms").select(server.app.ctx.db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

  it("sends the invite to the invitee's server (PUT /v2/invite), which shows it in the invitee's /sync with is_direct and the room's stripped state", async () => {
    const bob = await localUser(b, "bob");
    const before = await b.app.ctx.sync.sync(bob, {});
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "trusted_private_chat", name: "Just us", invite: [bob.userId], is_direct: true });

    const invite = (await b.app.ctx.sync.sync(bob, { since: before.next_batch })).rooms?.invite?.[roomId];
    expect(invite).toBeDefined();
    const events = invite!.invite_state.events;
    expect(events).toContainEqual(
      expect.objectContaining({ type: "m.room.member", state_key: bob.userId, sender: alice.userId, content: expect.objectContaining({ membership: "invite", is_direct: true }) }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: "m.room.name", content: { name: "Just us" } }));
    expect(events).toContainEqual(expect.objectContaining({ type: "m.room.create", sender: alice.userId }));

    // The room on A holds the invite as B countersigned it.
    const member = (await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", bob.userId)!;
    expect(member.content).toMatchObject({ membership: "invite", is_direct: true });
    expect(Object.keys(member.signatures ?? {})).toEqual(expect.arrayContaining([a.name, b.name]));
  });

  it("when the invitee's server refuses the invite the whole createRoom fails, as in Synapse, and no room is left on either server", async () => {
    const carol = await localUser(b, "carol");
    await b.app.ctx.db.updateTable("users").set({ deactivated: true }).where("user_id", "=", carol.userId).execute();
    const [roomsOnA, roomsOnB] = [await roomCount(a), await roomCount(b)];
    const joinedBefore = (await a.app.ctx.stores.rooms.roomsForUser(alice.userId, ["join"])).length;

    await expect(a.app.ctx.rooms.service.createRoom(alice, { name: "Refused", invite: [carol.userId] })).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
    expect(await roomCount(a)).toBe(roomsOnA);
    expect(await roomCount(b)).toBe(roomsOnB);
    expect((await a.app.ctx.stores.rooms.roomsForUser(alice.userId, ["join"])).length).toBe(joinedBefore);
  });

  it("an invitee whose server cannot be reached fails the createRoom with 502 and leaves no room", async () => {
    const roomsOnA = await roomCount(a);
    await expect(a.app.ctx.rooms.service.createRoom(alice, { invite: ["@dave:127.0.0.1:1"] })).rejects.toMatchObject({ status: 502 });
    expect(await roomCount(a)).toBe(roomsOnA);
  });
});
