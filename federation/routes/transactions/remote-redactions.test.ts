import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import type { ClientEvent } from "../../../homeserver/rooms/client-event.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { craftEvent, wireEvent } from "../testing/events.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/**
 * Redactions that reach B over federation (PUT /send from A, written by hand as A's sender would) must take
 * effect on B as a local redaction does: every read on B, for clients and for other servers, shows the
 * target redacted once the redaction is accepted and allowed to apply.
 */
describe.each(testDrivers())("redactions received over federation (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;
  let carol: Requester;
  let bob: Requester;
  let roomId: string;
  let txn = 0;

  const deliver = async (...eventIds: string[]) => {
    const pdus = await Promise.all(eventIds.map((id) => wireEvent(a, id)));
    return deliverWire(pdus);
  };
  const deliverWire = async (pdus: Record<string, unknown>[]) => {
    const answer = await call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${`redact-${++txn}`}`, { origin: a.name, origin_server_ts: Date.now(), pdus });
    expect(answer.status).toBe(200);
    for (const result of Object.values(answer.json.pdus as Record<string, { error?: string }>)) expect(result.error).toBeUndefined();
  };
  const say = (who: Requester, body: string) => a.app.ctx.rooms.service.sendMessage(who, roomId, "m.room.message", { msgtype: "m.text", body }, `say-${body}`);
  const reads = () => b.app.ctx.roomReads;
  const timelineOf = async (since?: string) => (await b.app.ctx.sync.sync(bob, since ? { since } : {})).rooms?.join?.[roomId]?.timeline.events ?? [];
  const byId = (events: Array<{ event_id?: string; content?: Record<string, unknown> }>, id: string) => events.find((e) => e.event_id === id);

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
    carol = await newUser(a, "carol");
    bob = await newUser(b, "bob");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Redactions" });
    await a.app.ctx.rooms.service.join(carol, roomId);
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
    await deliver((await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", carol.userId)!.event_id);
  });
  afterAll(() => stopPeers(a, b));

  it("redacts the target on B for /event, /messages, /context, /sync (cached timeline included) and federation /event and /backfill", async () => {
    const target = await say(alice, "regrettable");
    await deliver(target);
    // A sync first, so the timeline cache holds the target unredacted.
    const before = await b.app.ctx.sync.sync(bob, {});
    expect(byId(before.rooms!.join![roomId].timeline.events, target)?.content?.body).toBe("regrettable");

    const redaction = await a.app.ctx.rooms.service.redact(alice, roomId, target, "r-1", "oops");
    await deliver(redaction);

    const event = await reads().state.event(bob, roomId, target);
    expect(event.content).toEqual({});
    expect((event.unsigned?.redacted_because as ClientEvent | undefined)?.event_id).toBe(redaction);

    const messages = await reads().timeline.messages(bob, roomId, { dir: "b", limit: 10 });
    expect(byId(messages.chunk as ClientEvent[], target)?.content).toEqual({});
    const context = await reads().timeline.context(bob, roomId, target, 4);
    expect(context.event.content).toEqual({});

    const incremental = await timelineOf(before.next_batch);
    expect(incremental.map((e) => e.event_id)).toContain(redaction);
    expect(byId(await timelineOf(), target)?.content).toEqual({});

    const overFederation = await call(a, b, "GET", federationPath`/_matrix/federation/v1/event/${target}`);
    expect(overFederation.json.pdus[0].content).toEqual({});
    const backfill = await call(a, b, "GET", federationPath`/_matrix/federation/v1/backfill/${roomId}`, undefined, { v: redaction, limit: 5 });
    expect(backfill.json.pdus.find((p: { content: unknown; type: string; sender: string; origin_server_ts: number }) => p.type === "m.room.message" && p.sender === alice.userId)?.content).toEqual({});
  });

  it("serves a redacted state event redacted in federation /state", async () => {
    const topic = await a.app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "secret topic" });
    await deliver(topic);
    const redaction = await a.app.ctx.rooms.service.redact(alice, roomId, topic, "r-topic");
    const after = await say(alice, "after the topic went");
    await deliver(redaction, after);
    const state = await call(a, b, "GET", federationPath`/_matrix/federation/v1/state/${roomId}`, undefined, { event_id: after });
    expect(state.status).toBe(200);
    expect(state.json.pdus.find((p: { event_id?: string; type: string }) => p.type === "m.room.topic")?.content).toEqual({});
    expect((await reads().state.event(bob, roomId, topic)).content).toEqual({});
  });

  it("applies a redaction that arrives before its target once the target arrives", async () => {
    // Two events on the same prev_events, so the redaction does not lead B to fetch its target first.
    const target = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "sent late" } });
    const redaction = await craftEvent(a, roomId, { type: "m.room.redaction", sender: alice.userId, content: { redacts: target.pdu.event_id } });
    await deliverWire([redaction.wire]);
    expect((await b.app.ctx.stores.events.get(redaction.pdu.event_id))?.streamPos).toBeGreaterThan(0);
    await deliverWire([target.wire]);
    expect((await b.app.ctx.stores.events.get(target.pdu.event_id))?.redactedBy).toBe(redaction.pdu.event_id);
    expect((await reads().state.event(bob, roomId, target.pdu.event_id)).content).toEqual({});
    expect(byId(await timelineOf(), target.pdu.event_id)?.content).toEqual({});
  });

  it("does not apply a redaction by a user without the redact level to another server's user's event", async () => {
    const bobs = await b.app.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { msgtype: "m.text", body: "mine" }, "bob-mine");
    const onA = await call(b, a, "PUT", federationPath`/_matrix/federation/v1/send/${"bob-1"}`, { origin: b.name, origin_server_ts: Date.now(), pdus: [await wireEvent(b, bobs)] });
    expect(onA.json.pdus[bobs]).toEqual({});
    // Carol (power 0, of A) may send a redaction (the auth rules allow it from v3 on), but it may not take
    // effect on an event of B's user. (A's own clients could not send it; a server may.)
    const redaction = await craftEvent(a, roomId, { type: "m.room.redaction", sender: carol.userId, content: { redacts: bobs } });
    await deliverWire([redaction.wire]);
    expect((await b.app.ctx.stores.events.get(redaction.pdu.event_id))?.streamPos).toBeGreaterThan(0);
    expect((await reads().state.event(bob, roomId, bobs)).content.body).toBe("mine");
  });
});
