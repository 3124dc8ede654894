import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../storage/test-databases.js";
import { localUser, startLoopbackServer, type LoopbackServer } from "../../app/testing/loopback-server.js";

/** Two servers over loopback HTTP: a join through another server keeps what the client put in its content. */
describe.each(testDrivers())("the content of a join through another server (%s)", (driver) => {
  let a: LoopbackServer;
  let b: LoopbackServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startLoopbackServer(driver, { federationSender: false }), startLoopbackServer(driver, { federationSender: false })]);
  });
  afterAll(async () => {
    await Promise.all([a?.app.dispose(), b?.app.dispose()]);
  });

  it("keeps the client's reason and other fields in the member event, as a local join does", async () => {
    const alice = await localUser(a, "alice");
    const bob = await localUser(b, "bob");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(bob, roomId, { reason: "over federation", "org.example.note": "hi" }, [a.name]);
    const onA = (await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", bob.userId)!;
    expect(onA.content).toMatchObject({ membership: "join", reason: "over federation", "org.example.note": "hi" });
  });
});
