import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { encodeUnpaddedBase64 } from "../../../homeserver/crypto/base64.js";
import { computeReferenceHash } from "../../../homeserver/crypto/event-hashes.js";
import type { EventReference, IdentifiedPdu } from "../../../homeserver/events/pdu.js";
import { redactEvent } from "../../../homeserver/events/redaction.js";
import { requireRoomVersion } from "../../../homeserver/events/room-versions.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { wireEvent } from "../testing/events.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/**
 * Room versions 1 and 2 between two servers over HTTP: their events carry their own `$local:server` event id,
 * chosen by the server that creates the event, and cite other events as [event_id, {sha256}] pairs.
 */
describe.each(testDrivers())("membership in room versions 1 and 2 over federation (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;

  /** The v1/v2 reference of an event A holds, computed here from the spec's definition. */
  async function referenceOnA(eventId: string, versionId: string): Promise<EventReference> {
    const stored = (await a.app.ctx.stores.events.get(eventId))!;
    const hash = computeReferenceHash(redactEvent(stored.pdu, requireRoomVersion(versionId)) as Record<string, unknown>);
    return [eventId, { sha256: encodeUnpaddedBase64(hash) }];
  }

  const isPairList = (refs: unknown) =>
    Array.isArray(refs) && refs.length > 0 && refs.every((r) => Array.isArray(r) && r.length === 2 && typeof r[0] === "string" && typeof r[1] === "object");

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
  });
  afterAll(() => stopPeers(a, b));

  it.each(["1", "2"])("make_join and make_leave templates of a v%s room cite prev_events and auth_events as [event_id, {sha256}] pairs", async (versionId) => {
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", room_version: versionId });
    // Invited, so that both a join and a leave (rejecting the invite) are allowed.
    const { userId } = await newUser(b, `template${versionId}`);
    await a.app.ctx.rooms.service.membership(alice, roomId, "invite", userId);
    const memory = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
    for (const kind of ["join", "leave"] as const) {
      const made = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_${kind}/${roomId}/${userId}`, undefined, kind === "join" ? { ver: [versionId] } : undefined);
      expect(made.status).toBe(200);
      expect(made.json.room_version).toBe(versionId);
      const template = made.json.event as IdentifiedPdu;
      expect(template.prev_events).toEqual(await Promise.all(memory.extremities.map((id) => referenceOnA(id, versionId))));
      const authIds = ["m.room.create", "m.room.power_levels", "m.room.member"].map((type) => memory.stateEvent(type, type === "m.room.member" ? userId : "")!.event_id);
      expect(template.auth_events).toEqual(expect.arrayContaining(await Promise.all(authIds.map((id) => referenceOnA(id, versionId)))));
      expect(isPairList(template.auth_events)).toBe(true);
    }
  });

  it.each(["1", "2"])("a user of B joins a v%s room on A with an event id of B's own, and its later events are accepted by A", async (versionId) => {
    const bob = await newUser(b, `bob${versionId}`);
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", room_version: versionId, name: `Old ${versionId}` });
    await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body: "before bob" }, `pre-${versionId}`);

    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);

    const onA = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
    const onB = (await b.app.ctx.rooms.persister.roomMemory(roomId))!;
    const join = onA.stateEvent("m.room.member", bob.userId)!;
    expect(join.content.membership).toBe("join");
    expect(join.event_id).toMatch(new RegExp(`^\\$[^:]+:${b.name.replace(/\./g, "\\.")}$`));
    expect(isPairList(join.prev_events)).toBe(true);
    expect(onB.membershipOf(bob.userId)).toBe("join");
    expect(onB.stateEvent("m.room.name")?.content.name).toBe(`Old ${versionId}`);
    expect([...onB.state.values()].map((e) => e.event_id).sort()).toEqual([...onA.state.values()].map((e) => e.event_id).sort());

    // B's next event, as B's sender would deliver it.
    const sent = await b.app.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { msgtype: "m.text", body: "hello from b" }, `b-${versionId}`);
    const pdu = await wireEvent(b, sent);
    expect(pdu.event_id).toBe(sent);
    const answer = await call(b, a, "PUT", federationPath`/_matrix/federation/v1/send/${`old-${versionId}`}`, { origin: b.name, origin_server_ts: Date.now(), pdus: [pdu] });
    expect(answer).toEqual({ status: 200, json: { pdus: { [sent]: {} } } });
    expect((await a.app.ctx.rooms.persister.roomMemory(roomId))!.extremities).toEqual([sent]);
  });

  it("serves v1 events over federation with their event ids and [event_id, {sha256}] references: /event, /state, /backfill, /get_missing_events", async () => {
    const bob = await newUser(b, "reader");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", room_version: "1" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
    const joinId = (await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", bob.userId)!.event_id;

    const event = await call(b, a, "GET", federationPath`/_matrix/federation/v1/event/${joinId}`);
    expect(event.json.pdus[0].event_id).toBe(joinId);
    expect(event.json.pdus[0].prev_events).toEqual(await Promise.all((await a.app.ctx.stores.events.get(joinId))!.pdu.prev_events.map((r) => referenceOnA((r as [string, unknown])[0], "1"))));

    const state = await call(b, a, "GET", federationPath`/_matrix/federation/v1/state/${roomId}`, undefined, { event_id: joinId });
    expect(state.status).toBe(200);
    for (const pdu of [...state.json.pdus, ...state.json.auth_chain]) {
      expect(typeof pdu.event_id).toBe("string");
      if (pdu.type !== "m.room.create") expect(isPairList(pdu.auth_events)).toBe(true);
    }

    const backfill = await call(b, a, "GET", federationPath`/_matrix/federation/v1/backfill/${roomId}`, undefined, { v: joinId, limit: 5 });
    expect(backfill.json.pdus.map((p: { event_id: string }) => p.event_id)).toContain(joinId);
    const missing = await call(b, a, "POST", federationPath`/_matrix/federation/v1/get_missing_events/${roomId}`, { earliest_events: [], latest_events: [joinId], limit: 5 });
    expect(missing.json.events.length).toBeGreaterThan(0);
    for (const pdu of [...backfill.json.pdus, ...missing.json.events]) {
      expect(typeof pdu.event_id).toBe("string");
      if (pdu.type !== "m.room.create") expect(isPairList(pdu.prev_events)).toBe(true);
    }
  });

  it("an invite into a v1 room is signed by B, and B's user joins through the inviting server", async () => {
    const carol = await newUser(b, "carol");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", room_version: "1", name: "Invited, v1" });
    await a.app.ctx.rooms.service.membership(alice, roomId, "invite", carol.userId);
    const invite = (await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", carol.userId)!;
    expect(invite.signatures?.[b.name]).toBeDefined();
    expect((await b.app.ctx.sync.sync(carol, {})).rooms?.invite?.[roomId]).toBeDefined();

    await b.app.ctx.rooms.service.join(carol, roomId);
    expect((await a.app.ctx.rooms.persister.roomMemory(roomId))!.membershipOf(carol.userId)).toBe("join");
    expect((await b.app.ctx.sync.sync(carol, {})).rooms?.join?.[roomId]).toBeDefined();
  });

  it("rejecting an invite into a v2 room leaves through the inviting server with make_leave / send_leave", async () => {
    const dave = await newUser(b, "dave");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", room_version: "2" });
    await a.app.ctx.rooms.service.membership(alice, roomId, "invite", dave.userId);
    await b.app.ctx.federationRooms.inviteRejection.reject(dave, roomId, "no thanks");
    const leave = (await a.app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.member", dave.userId)!;
    expect(leave.content).toEqual({ membership: "leave", reason: "no thanks" });
    expect(leave.event_id.endsWith(`:${b.name}`)).toBe(true);
  });
});
