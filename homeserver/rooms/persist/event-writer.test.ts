import { newUser } from "../../users/testing/requesters.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../../storage/test-databases.js";
import { stateKeyOf, type IdentifiedPdu } from "../../events/pdu.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { Requester } from "../../users/requester.js";
import { buildLocalEvent, type EventDraft } from "../event-factory.js";
import type { EventsNotice } from "./after-commit.js";
import { EventPersister } from "./event-persister.js";
import type { RoomMemory } from "./room-memory.js";

const user = (name: string): Requester => newUser(name);

/** An event as another server would send it, following the room's current extremities (the write does not check signatures). */
function remoteEvent(app: TestApp, memory: RoomMemory, draft: EventDraft): IdentifiedPdu {
  const auth = ["m.room.create", "m.room.power_levels", "m.room.join_rules"]
    .map((type) => memory.stateEvent(type))
    .concat(memory.stateEvent("m.room.member", draft.sender))
    .filter((pdu): pdu is IdentifiedPdu => pdu !== undefined && pdu.type !== "m.room.create");
  return buildLocalEvent(
    draft,
    { roomId: memory.roomId, prevEvents: memory.extremities, authEvents: auth.map((p) => p.event_id), depth: memory.maxDepth + 1, originServerTs: Date.now() },
    memory.version,
    "remote.test",
    app.ctx.signingKey,
  );
}

const asTimelineWrite = (memory: RoomMemory, pdu: IdentifiedPdu) => {
  const currentState = new Map(memory.state);
  if (typeof pdu.state_key === "string") currentState.set(stateKeyOf(pdu.type, pdu.state_key), pdu);
  return {
    memory,
    events: [{ pdu, placement: { kind: "timeline" as const, stateBefore: { map: new Map([...memory.state].map(([k, e]) => [k, e.event_id])), group: memory.stateGroup } } }],
    roomAfter: { currentState, extremities: [pdu.event_id] },
  };
};

describe.each(testDrivers())("the one persist pipeline on %s", (driver) => {
  const { app } = useTestApp(driver);
  let persister: EventPersister;
  const persisted: Array<{ roomId: string; rows: readonly StoredEvent[] }> = [];
  const notices: EventsNotice[] = [];
  beforeAll(async () => {
    // A second persister over the same database, with an after-persist hook (where pushers will go).
    persister = new EventPersister(app.ctx, app.ctx.stores, { afterPersist: [{ eventsPersisted: (roomId, rows) => persisted.push({ roomId, rows }) }] });
    app.ctx.notifier.subscribe((stream, _position, audience) => {
      if (stream === "events") notices.push(audience as EventsNotice);
    });
  });

  async function newRoom(creator: Requester) {
    const { roomId } = await persister.createRoom({
      version: (await import("../../events/room-versions.js")).requireRoomVersion("12"),
      createContent: { room_version: "12" },
      creator: creator.userId,
      roomIdIfNotDerived: "",
      directoryVisibility: "private",
      events: [
        { draft: { type: "m.room.member", stateKey: creator.userId, sender: creator.userId, content: { membership: "join" } } },
        { draft: { type: "m.room.power_levels", stateKey: "", sender: creator.userId, content: { users: {} } } },
        { draft: { type: "m.room.join_rules", stateKey: "", sender: creator.userId, content: { join_rule: "public" } } },
      ],
    });
    return roomId;
  }

  it("hands the written rows to the readers and to the after-persist hooks, for local and remote events alike", async () => {
    const alice = user("alice");
    const roomId = await newRoom(alice);
    persisted.length = 0;
    notices.length = 0;
    const message = await persister.persistLocal(roomId, { type: "m.room.message", sender: alice.userId, content: { body: "local" } });
    const topic = await persister.persistLocal(roomId, { type: "m.room.topic", stateKey: "", sender: alice.userId, content: { topic: "t" } });
    const memory = (await persister.roomMemory(roomId))!;
    const remote = remoteEvent(app, memory, { type: "m.room.join_rules", stateKey: "", sender: alice.userId, content: { join_rule: "invite" } });
    const replaced = memory.stateEvent("m.room.join_rules")!.event_id;
    const [position] = await persister.serialise(roomId, () => persister.writeAccepted(asTimelineWrite(memory, remote)));

    expect(persisted.map((p) => p.rows.map((r) => r.pdu.event_id))).toEqual([[message.eventId], [topic.eventId], [remote.event_id]]);
    const handed = notices.filter((n) => n.rooms.includes(roomId)).map((n) => n.events?.map((e) => e.pdu.event_id));
    expect(handed).toEqual([[message.eventId], [topic.eventId], [remote.event_id]]);
    // What was handed over is what a read of the database returns.
    const stored = await app.ctx.stores.events.get(remote.event_id);
    const handedRemote = persisted[2].rows[0];
    expect(handedRemote).toEqual(stored);
    expect(stored?.streamPos).toBe(position);
    // The state delta is recorded on both paths.
    expect(stored?.unsigned).toEqual({ replaces_state: replaced, prev_content: { join_rule: "public" }, prev_sender: alice.userId });
    expect((await app.ctx.stores.events.get(topic.eventId))?.unsigned).toBeNull();
    expect(memory.stateEvent("m.room.join_rules")?.event_id).toBe(remote.event_id);
  });

  it("applies a local redaction whose target arrives later over federation, as it does a remote one", async () => {
    const alice = user("alice");
    const roomId = await newRoom(alice);
    const memory = (await persister.roomMemory(roomId))!;
    const target = remoteEvent(app, memory, { type: "m.room.message", sender: alice.userId, content: { body: "to be redacted" } });
    const redaction = await persister.persistLocal(roomId, { type: "m.room.redaction", sender: alice.userId, content: { redacts: target.event_id } });
    notices.length = 0;
    await persister.serialise(roomId, () => persister.writeAccepted(asTimelineWrite(memory, target)));
    expect((await app.ctx.stores.events.get(target.event_id))?.redactedBy).toBe(redaction.eventId);
    // The rows written no longer tell everything (the target is redacted now): readers must read them again.
    expect(notices.filter((n) => n.rooms.includes(roomId)).map((n) => n.events)).toEqual([undefined]);
  });

  it("forgets a redaction waiting for its target once the target arrives and is rejected", async () => {
    const alice = user("alice");
    const roomId = await newRoom(alice);
    const memory = (await persister.roomMemory(roomId))!;
    const target = remoteEvent(app, memory, { type: "m.room.message", sender: alice.userId, content: { body: "refused later" } });
    await persister.persistLocal(roomId, { type: "m.room.redaction", sender: alice.userId, content: { redacts: target.event_id } });
    const waiting = () => app.ctx.db.selectFrom("pending_redactions").select("redaction_id").where("redacts", "=", target.event_id).execute();
    expect(await waiting()).toHaveLength(1);
    await persister.serialise(roomId, () => persister.writeAccepted({ memory, events: [{ pdu: target, placement: { kind: "rejected", reason: "test" } }] }));
    expect(await waiting()).toEqual([]);
  });

  it("holds a redacted state event in its redacted form in memory, after the redaction and after a reload", async () => {
    const alice = user("alice");
    const roomId = await newRoom(alice);
    const topic = await persister.persistLocal(roomId, { type: "m.room.topic", stateKey: "", sender: alice.userId, content: { topic: "secret plans" } });
    await persister.persistLocal(roomId, { type: "m.room.redaction", sender: alice.userId, content: { redacts: topic.eventId } });
    const memory = (await persister.roomMemory(roomId))!;
    expect(memory.stateEvent("m.room.topic")?.event_id).toBe(topic.eventId);
    expect(memory.stateEvent("m.room.topic")?.content).toEqual({});
    const reloaded = (await new EventPersister(app.ctx, app.ctx.stores).roomMemory(roomId))!;
    expect(reloaded.stateEvent("m.room.topic")?.event_id).toBe(topic.eventId);
    expect(reloaded.stateEvent("m.room.topic")?.content).toEqual({});
  });

  it("writes outliers without touching the room's current state, extremities or stream", async () => {
    const alice = user("alice");
    const roomId = await newRoom(alice);
    const memory = (await persister.roomMemory(roomId))!;
    const before = { extremities: [...memory.extremities], state: new Map(memory.state), published: app.ctx.streams.events.current };
    const outlier = remoteEvent(app, memory, { type: "m.room.topic", stateKey: "", sender: alice.userId, content: { topic: "outlier" } });
    const [position] = await persister.writeAccepted({ memory, events: [{ pdu: outlier, placement: { kind: "outlier" } }] });
    expect(position).toBeLessThan(0);
    expect(memory.extremities).toEqual(before.extremities);
    expect(memory.state).toEqual(before.state);
    expect(app.ctx.streams.events.current).toBe(before.published);
    expect(await app.ctx.db.selectFrom("current_state").select("event_id").where("room_id", "=", roomId).where("type", "=", "m.room.topic").execute()).toEqual([]);
  });
});
