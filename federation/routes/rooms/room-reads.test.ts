import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { wireEvent } from "../testing/events.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/** The read endpoints a server uses to fill gaps in a room it is in, asked over HTTP from B to A. */
describe.each(testDrivers())("room reads over federation (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;
  let roomId: string;
  let privateRoom: string;
  const messages: string[] = [];

  const get = (path: string, query?: Record<string, string | string[] | number>) => call(b, a, "GET", path, undefined, query);

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
    const bob = await newUser(b, "bob");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Readable" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
    for (const body of ["one", "two", "three"]) {
      messages.push(await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body }, body));
    }
    privateRoom = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
  });
  afterAll(() => stopPeers(a, b));

  it("GET /event returns the PDU in a transaction from A", async () => {
    const answer = await get(federationPath`/_matrix/federation/v1/event/${messages[1]}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ origin: a.name, origin_server_ts: expect.any(Number), pdus: [await wireEvent(a, messages[1])] });
    expect(await get(federationPath`/_matrix/federation/v1/event/${"$unknown"}`)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
  });

  it("GET /state_ids and /state give the state before the event and its auth chain, as ids and as PDUs", async () => {
    const ids = await get(federationPath`/_matrix/federation/v1/state_ids/${roomId}`, { event_id: messages[1] });
    expect(ids.status).toBe(200);
    const memory = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
    expect([...ids.json.pdu_ids].sort()).toEqual([...memory.state.values()].map((e) => e.event_id).sort());
    expect(ids.json.auth_chain_ids).toContain(memory.stateEvent("m.room.member", alice.userId)!.event_id);
    const full = await get(federationPath`/_matrix/federation/v1/state/${roomId}`, { event_id: messages[1] });
    expect(full.status).toBe(200);
    expect(full.json.pdus).toHaveLength(ids.json.pdu_ids.length);
    expect(full.json.auth_chain).toHaveLength(ids.json.auth_chain_ids.length);
    expect(full.json.pdus.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.name"]));
    expect(await get(federationPath`/_matrix/federation/v1/state_ids/${roomId}`)).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
  });

  it("GET /event_auth gives the event's auth chain, and 404 for an event of another room", async () => {
    const answer = await get(federationPath`/_matrix/federation/v1/event_auth/${roomId}/${messages[0]}`);
    expect(answer.status).toBe(200);
    // v12: the create event is no auth event (the room id names it); power levels and the sender's join are.
    expect(answer.json.auth_chain.map((e: { type: string }) => e.type).sort()).toEqual(["m.room.member", "m.room.power_levels"]);
    // World-readable, so B may read its events: only the room in the path is wrong.
    const other = await a.app.ctx.rooms.service.createRoom(alice, {
      preset: "public_chat",
      initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }],
    });
    const create = (await a.app.ctx.rooms.persister.roomMemory(other))!.stateEvent("m.room.create")!.event_id;
    expect(await get(federationPath`/_matrix/federation/v1/event_auth/${roomId}/${create}`)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
  });

  it("POST /get_missing_events walks back from the latest events to the earliest, oldest first", async () => {
    const answer = await call(b, a, "POST", federationPath`/_matrix/federation/v1/get_missing_events/${roomId}`, {
      earliest_events: [messages[0]],
      latest_events: [messages[2]],
      limit: 10,
    });
    expect(answer).toEqual({ status: 200, json: { events: [await wireEvent(a, messages[1])] } });
    const malformed = await call(b, a, "POST", federationPath`/_matrix/federation/v1/get_missing_events/${roomId}`, { latest_events: [] });
    expect(malformed).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
  });

  it("GET /backfill returns the given events and those before them, newest first, up to the limit", async () => {
    const answer = await get(federationPath`/_matrix/federation/v1/backfill/${roomId}`, { v: messages[2], limit: 2 });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ origin: a.name, origin_server_ts: expect.any(Number) });
    expect(answer.json.pdus).toEqual([await wireEvent(a, messages[2]), await wireEvent(a, messages[1])]);
    expect(await get(federationPath`/_matrix/federation/v1/backfill/${roomId}`, { limit: 2 })).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
  });

  it("never walks from an event of another room, even one the asking server may see", async () => {
    const privateMessage = await a.app.ctx.rooms.service.sendMessage(alice, privateRoom, "m.room.message", { body: "secret" }, "secret");
    const backfill = await get(federationPath`/_matrix/federation/v1/backfill/${roomId}`, { v: privateMessage, limit: 5 });
    expect(backfill).toMatchObject({ status: 200, json: { pdus: [] } });
    const missing = await call(b, a, "POST", federationPath`/_matrix/federation/v1/get_missing_events/${roomId}`, { earliest_events: [], latest_events: [privateMessage] });
    expect(missing).toEqual({ status: 200, json: { events: [] } });
  });

  it("answers 403 M_FORBIDDEN to a server with no user in the room", async () => {
    const create = (await a.app.ctx.rooms.persister.roomMemory(privateRoom))!.stateEvent("m.room.create")!.event_id;
    for (const answer of [
      await get(federationPath`/_matrix/federation/v1/state_ids/${privateRoom}`, { event_id: create }),
      await get(federationPath`/_matrix/federation/v1/state/${privateRoom}`, { event_id: create }),
      await get(federationPath`/_matrix/federation/v1/event/${create}`),
      await get(federationPath`/_matrix/federation/v1/event_auth/${privateRoom}/${create}`),
      await get(federationPath`/_matrix/federation/v1/backfill/${privateRoom}`, { v: create, limit: 1 }),
      await call(b, a, "POST", federationPath`/_matrix/federation/v1/get_missing_events/${privateRoom}`, { earliest_events: [], latest_events: [create] }),
    ]) {
      expect(answer).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    }
  });
});
