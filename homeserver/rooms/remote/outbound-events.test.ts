import { describe, expect, it } from "vitest";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { stateKeyOf } from "../../events/pdu.js";
import { testDrivers } from "../../storage/test-databases.js";
import { newUser } from "../../users/testing/requesters.js";
import { buildLocalEvent } from "../event-factory.js";
import { OutboundEvents } from "./outbound-events.js";

describe.each(testDrivers())("what the federation sender sends on %s", (driver) => {
  const { app } = useTestApp(driver);

  it("an event redacted before it went out is sent in its redacted form, as Synapse sends it", async () => {
    const alice = newUser("alice");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    const { persister } = app.ctx.rooms;
    const memory = (await persister.roomMemory(roomId))!;
    // A user of remote.test joins (written as the ingest would write it; the write does not check signatures).
    const bob = "@bob:remote.test";
    const auth = ["m.room.power_levels", "m.room.join_rules"].map((type) => memory.stateEvent(type)!.event_id);
    const join = buildLocalEvent(
      { type: "m.room.member", stateKey: bob, sender: bob, content: { membership: "join" } },
      { roomId, prevEvents: memory.extremities, authEvents: auth, depth: memory.maxDepth + 1, originServerTs: Date.now() },
      memory.version,
      "remote.test",
      app.ctx.signingKey,
    );
    const currentState = new Map(memory.state).set(stateKeyOf(join.type, bob), join);
    const stateBefore = { map: new Map([...memory.state].map(([k, e]) => [k, e.event_id])), group: memory.stateGroup };
    await persister.serialise(roomId, () =>
      persister.writeAccepted({ memory, events: [{ pdu: join, placement: { kind: "timeline", stateBefore } }], roomAfter: { currentState, extremities: [join.event_id] } }),
    );
    const before = app.ctx.streams.events.current;
    const secret = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body: "oops, a password" }, "t1");
    await app.ctx.rooms.service.redact(alice, roomId, secret, "t2");

    const outbound = new OutboundEvents(app.ctx, persister, app.ctx.stores);
    const sent = await outbound.eventsFor("remote.test", before, app.ctx.streams.events.current, 10);
    const message = sent.find((e) => e.pdu.event_id === secret || e.pdu.type === "m.room.message");
    expect(message?.pdu.content).toEqual({});
    expect(JSON.stringify(sent)).not.toContain("password");
    expect(sent.map((e) => e.pdu.type)).toEqual(["m.room.message", "m.room.redaction"]);
  });
});
