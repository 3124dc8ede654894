import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

describe.each(testDrivers())("knocking on a room another server holds (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  beforeAll(async () => {
    a = await startPeer(driver, { federationSender: true });
    b = await startPeer(driver, { federationSender: true });
  });
  afterAll(() => stopPeers(a, b));

  it("a user of B knocks through make_knock/send_knock; A holds the knock and B's /sync lists the room under knock", async () => {
    const alice = await newUser(a, "alice");
    const bob = await newUser(b, "bob");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, {
      name: "Knock here",
      initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }],
    });
    expect(await b.app.ctx.rooms.service.knock(bob, roomId, "let me in", [a.name])).toBe(roomId);

    const onA = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(onA.membershipOf(bob.userId)).toBe("knock");
    const sync = await b.app.ctx.sync.sync(bob, {});
    const knock = sync.rooms?.knock?.[roomId];
    expect(knock).toBeDefined();
    expect(knock!.knock_state.events.find((e) => e.type === "m.room.name")?.content).toEqual({ name: "Knock here" });

    // Alice lets Bob in: the invite reaches B, and Bob can join.
    await a.app.ctx.rooms.service.membership(alice, roomId, "invite", bob.userId);
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
    expect((await a.app.ctx.rooms.persister.roomMemory(roomId))!.membershipOf(bob.userId)).toBe("join");
  });

  it("refuses a knock on a room whose join rule does not allow it, with M_FORBIDDEN", async () => {
    const alice = await newUser(a, "alice2");
    const bob = await newUser(b, "bob2");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
    await expect(b.app.ctx.rooms.service.knock(bob, roomId, undefined, [a.name])).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
  });
});
