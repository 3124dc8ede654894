import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { generateSigningKey } from "../../../homeserver/crypto/signing-key.js";
import type { Logger } from "../../../homeserver/core/logger.js";
import { InboundTransactions } from "../../../homeserver/rooms/remote/inbound-transactions.js";
import { RemoteEventIngest } from "../../../homeserver/rooms/remote/ingest-events.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import type { JsonObject } from "../../../homeserver/events/pdu.js";
import { RemoteRoomsClient } from "../../client/remote-rooms-client.js";
import { craftEvent, wireEvent } from "../testing/events.js";
import { call, federationPath, newUser, rawCall, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/**
 * Two homeservers over HTTP on loopback. A user of B joins a room on A through make_join / send_join, then
 * A's events reach B by PUT /send, written by hand here as A's sender would write it.
 */
describe.each(testDrivers())("PUT /send between two servers (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;
  let bob: Requester;
  let roomId: string;
  let txn = 0;

  const send = (pdus: unknown[], extra: Record<string, unknown> = {}, txnId = `t${++txn}`) =>
    call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${txnId}`, { origin: a.name, origin_server_ts: Date.now(), pdus, ...extra });
  const onB = (eventId: string) => b.app.ctx.stores.events.get(eventId);
  const statusOnB = async (eventId: string) => (await b.app.ctx.stores.events.knownStatus([eventId])).get(eventId);
  const aliceSays = async (body: string) => {
    const eventId = await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body }, `m-${body}`);
    return { eventId, wire: await wireEvent(a, eventId) };
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
    bob = await newUser(b, "bob");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Over the wire" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
  });
  afterAll(() => stopPeers(a, b));

  it("a user of B joins a public room on A through make_join and send_join over HTTP, and both agree on its state", async () => {
    const memoryA = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
    const memoryB = (await b.app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(memoryA.membershipOf(bob.userId)).toBe("join");
    expect(memoryB.membershipOf(bob.userId)).toBe("join");
    expect(memoryB.stateEvent("m.room.name")?.content.name).toBe("Over the wire");
    const ids = (m: typeof memoryA) => [...m.state.values()].map((e) => e.event_id).sort();
    expect(ids(memoryB)).toEqual(ids(memoryA));
  });

  it("delivers a message from A into B's room, where B's user sees it in /sync", async () => {
    const { eventId, wire } = await aliceSays("hello b");
    const answer = await send([wire]);
    expect(answer).toEqual({ status: 200, json: { pdus: { [eventId]: {} } } });
    expect((await onB(eventId))?.pdu.content.body).toBe("hello b");
    const sync = await b.app.ctx.sync.sync(bob, {});
    expect(sync.rooms?.join?.[roomId]?.timeline.events.map((e) => e.event_id)).toContain(eventId);
  });

  it("answers a repeated transaction id with the stored response and does not process it again", async () => {
    const first = await aliceSays("once");
    const firstAnswer = await send([first.wire], {}, "repeat-me");
    expect(firstAnswer.json).toEqual({ pdus: { [first.eventId]: {} } });
    const second = await aliceSays("never delivered");
    const repeated = await send([second.wire], {}, "repeat-me");
    expect(repeated).toEqual(firstAnswer);
    expect(await onB(second.eventId)).toBeUndefined();
    // Another transaction id is another transaction.
    const fresh = await send([second.wire], {}, "repeat-me-too");
    expect(fresh.json).toEqual({ pdus: { [second.eventId]: {} } });
  });

  it("refuses a PDU or EDU holding U+0000 or nested deeper than a client may send, alone: the rest of the transaction is stored", async () => {
    const before = await aliceSays("before the bad ones");
    const nulType = await craftEvent(a, roomId, { type: "m.room.message\u0000x", sender: alice.userId, content: { msgtype: "m.text", body: "t" } });
    const nulBody = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "a\u0000b" } });
    let nested: JsonObject = {};
    for (let i = 0; i < 200; i++) nested = { a: nested };
    const deep = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "deep", nested } });
    const after = await aliceSays("after the bad ones");
    const badEdu = { edu_type: "m.typing", content: { room_id: `${roomId}\u0000`, user_id: alice.userId, typing: true } };
    const answer = await send([before.wire, nulType.wire, nulBody.wire, deep.wire, after.wire], { edus: [badEdu] });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.pdus[before.eventId]).toEqual({});
    expect(answer.json.pdus[after.eventId]).toEqual({});
    for (const bad of [nulType, nulBody, deep]) {
      expect(answer.json.pdus[bad.pdu.event_id]?.error).toMatch(/U\+0000|nested/);
      expect(await onB(bad.pdu.event_id)).toBeUndefined();
    }
    expect((await onB(after.eventId))?.pdu.content.body).toBe("after the bad ones");
  });

  it("handles each PDU on its own: a forged one is refused, a good one stored, one with a bad content hash stored redacted", async () => {
    const forger = { ...generateSigningKey(), keyId: a.app.ctx.signingKey.keyId };
    const forged = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "forged" } }, forger);
    const good = await aliceSays("good");
    const tampered = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "signed" } });
    tampered.wire.content = { msgtype: "m.text", body: "changed in transit" };

    const answer = await send([forged.wire, good.wire, tampered.wire]);
    expect(answer.status).toBe(200);
    expect(answer.json.pdus[forged.pdu.event_id].error).toMatch(/signature/);
    expect(answer.json.pdus[good.eventId]).toEqual({});
    expect(answer.json.pdus[tampered.pdu.event_id]).toEqual({});
    expect(await onB(forged.pdu.event_id)).toBeUndefined();
    expect((await onB(good.eventId))?.pdu.content.body).toBe("good");
    const redacted = await onB(tampered.pdu.event_id);
    expect(redacted?.pdu.content).toEqual({});
    expect(redacted!.streamPos).toBeGreaterThan(0);
  });

  it("gives per-PDU errors for an event failing auth, an oversized event and a room it does not know, and keeps the rest", async () => {
    const outsider = await craftEvent(a, roomId, { type: "m.room.message", sender: `@mallory:${a.name}`, content: { msgtype: "m.text", body: "not a member" } });
    const huge = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { msgtype: "m.text", body: "x".repeat(70_000) } });
    const elsewhere = { ...(await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { body: "?" } })).wire, room_id: `!nowhere:${a.name}` };
    const good = await aliceSays("still fine");

    const answer = await send([outsider.wire, huge.wire, elsewhere, "not even an object", good.wire]);
    expect(answer.status).toBe(200);
    const results = answer.json.pdus as Record<string, { error?: string }>;
    expect(results[outsider.pdu.event_id].error).toBeTruthy();
    expect(results[huge.pdu.event_id].error).toMatch(/bytes/);
    const unknownRoom = Object.values(results).find((r) => r.error?.includes("unknown room"));
    expect(unknownRoom).toBeDefined();
    expect(results[good.eventId]).toEqual({});
    expect(Object.keys(results)).toHaveLength(4);
    // Rejected by the auth rules: held (never fetched again) but never shown.
    expect((await statusOnB(outsider.pdu.event_id))?.rejected).toBe(true);
    expect(await onB(huge.pdu.event_id)).toBeUndefined();
    expect((await onB(good.eventId))?.pdu.content.body).toBe("still fine");
  });

  it("logs each refused PDU exactly once, whichever check refused it", async () => {
    const lines: Array<{ level: string; obj: Record<string, unknown> }> = [];
    const logger: Logger = {
      trace: () => {},
      debug: () => {},
      info: (obj) => lines.push({ level: "info", obj: obj as Record<string, unknown> }),
      warn: (obj) => lines.push({ level: "warn", obj: obj as Record<string, unknown> }),
      error: (obj) => lines.push({ level: "error", obj: obj as Record<string, unknown> }),
      child: () => logger,
    };
    const ctx = b.app.ctx;
    const core = { ...ctx, logger };
    const ingest = new RemoteEventIngest(core, ctx.rooms.persister, ctx.stores, ctx.serverKeys, new RemoteRoomsClient(ctx.federation.client));
    const transactions = new InboundTransactions(core, ctx.rooms.persister, ctx.stores, ingest, ctx.federationRooms.acls, ctx.edus.dispatcher);

    const forger = { ...generateSigningKey(), keyId: a.app.ctx.signingKey.keyId };
    const forged = await craftEvent(a, roomId, { type: "m.room.message", sender: alice.userId, content: { body: "forged again" } }, forger);
    const outsider = await craftEvent(a, roomId, { type: "m.room.message", sender: `@eve:${a.name}`, content: { body: "not a member either" } });
    const elsewhere = { ...outsider.wire, room_id: `!elsewhere:${a.name}` };
    const good = await aliceSays("logged nowhere");
    const result = await transactions.receive(a.name, "log-once", { origin: a.name, origin_server_ts: Date.now(), pdus: [forged.wire, outsider.wire, elsewhere, good.wire] });

    expect(result.pdus[good.eventId]).toEqual({});
    const mentions = (eventId: string) => lines.filter((l) => l.obj.eventId === eventId).length;
    expect(mentions(forged.pdu.event_id)).toBe(1);
    expect(mentions(outsider.pdu.event_id)).toBe(1);
    expect(lines.filter((l) => String(l.obj.reason).includes("unknown room"))).toHaveLength(1);
    expect(mentions(good.eventId)).toBe(0);
  });

  it("accepts EDUs and ignores them for now", async () => {
    const answer = await send([], { edus: [{ edu_type: "m.typing", content: { room_id: roomId, user_id: alice.userId, typing: true } }, { bogus: 1 }] });
    expect(answer).toEqual({ status: 200, json: { pdus: {} } });
  });

  it("refuses a malformed transaction with 400 M_BAD_JSON, and one that is not JSON with M_NOT_JSON", async () => {
    const path = (id: string) => federationPath`/_matrix/federation/v1/send/${id}`;
    const put = (id: string, body: unknown) => call(a, b, "PUT", path(id), body);
    expect(await put("bad-1", { origin: a.name, origin_server_ts: 1 })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
    expect(await put("bad-2", { origin: a.name, origin_server_ts: 1, pdus: "nope" })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
    expect(await put("bad-3", { origin: a.name, origin_server_ts: "yesterday", pdus: [] })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
    expect(await put("bad-4", { origin: a.name, origin_server_ts: 1, pdus: Array.from({ length: 51 }, () => ({})) })).toMatchObject({
      status: 400,
      json: { errcode: "M_BAD_JSON" },
    });
    expect(await put("bad-5", { origin: a.name, origin_server_ts: 1, pdus: [], edus: Array.from({ length: 101 }, () => ({})) })).toMatchObject({
      status: 400,
      json: { errcode: "M_BAD_JSON" },
    });
    expect(await rawCall(a, b, "PUT", path("bad-6"), "{not json")).toMatchObject({ status: 400, json: { errcode: "M_NOT_JSON" } });
    // A refused transaction is not remembered: the same id with a valid body is processed.
    expect(await put("bad-1", { origin: a.name, origin_server_ts: 1, pdus: [] })).toEqual({ status: 200, json: { pdus: {} } });
  });

  it("refuses PDUs from a server the room's ACL denies, one by one", async () => {
    const carol = await newUser(b, "carol");
    const aclRoom = await b.app.ctx.rooms.service.createRoom(carol, { preset: "public_chat" });
    await a.app.ctx.rooms.service.join(alice, aclRoom, undefined, [b.name]);
    // Both servers are 127.0.0.1 (ports do not count): denying IP literals shuts A out.
    await b.app.ctx.rooms.service.sendState(carol, aclRoom, "m.room.server_acl", "", { allow: ["*"], deny: [], allow_ip_literals: false });
    const message = await a.app.ctx.rooms.service.sendMessage(alice, aclRoom, "m.room.message", { msgtype: "m.text", body: "let me in" }, "acl-1");
    const answer = await send([await wireEvent(a, message)]);
    expect(answer.status).toBe(200);
    expect(answer.json.pdus[message].error).toMatch(/ACL/);
    expect(await onB(message)).toBeUndefined();
    // Reads naming the room are refused outright.
    const stateIds = await call(a, b, "GET", federationPath`/_matrix/federation/v1/state_ids/${aclRoom}`, undefined, { event_id: message });
    expect(stateIds).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    const makeJoin = await call(a, b, "GET", federationPath`/_matrix/federation/v1/make_join/${aclRoom}/${`@dave:${a.name}`}`, undefined, { ver: ["12"] });
    expect(makeJoin).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
  });
});
