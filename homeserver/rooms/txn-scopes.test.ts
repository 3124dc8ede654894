import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { testDrivers } from "../app/test-app.js";
import { useTestApp } from "../app/testing/use-test-app.js";
import { bearer } from "../users/testing/http-users.js";
import { openTestDatabase } from "../storage/test-databases.js";
import { migrateTo, migrateToLatest } from "../storage/migrate.js";
import { TxnStore } from "../storage/stores/txn-store.js";
import { TxnIdMemory, txnKey } from "./txn-id-memory.js";
import { txnScopes } from "./txn-scopes.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

describe.each(testDrivers())("a transaction id is scoped to its device and endpoint (spec: Transaction identifiers), on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { users: 1 });
  let roomA: string;
  let roomB: string;
  beforeAll(async () => {
    const create = async () => (await app.http.inject({ method: "POST", url: `${V3}/createRoom`, headers: bearer(alice), payload: {} })).json().room_id as string;
    roomA = await create();
    roomB = await create();
  });

  const put = async (path: string, body: object) => {
    const response = await app.http.inject({ method: "PUT", url: `${V3}${path}`, headers: bearer(alice), payload: body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().event_id as string;
  };
  const send = (room: string, type: string, txnId: string, body: object = { msgtype: "m.text", body: "hi" }) => put(`/rooms/${enc(room)}/send/${enc(type)}/${enc(txnId)}`, body);
  const getEvent = async (room: string, eventId: string) =>
    (await app.http.inject({ method: "GET", url: `${V3}/rooms/${enc(room)}/event/${enc(eventId)}`, headers: bearer(alice) })).json();

  it("a redaction with the txnId of an earlier message is a new event, and redacts its target", async () => {
    const message = await send(roomA, "m.room.message", "1");
    const redaction = await put(`/rooms/${enc(roomA)}/redact/${enc(message)}/1`, { reason: "oops" });
    expect(redaction).not.toBe(message);
    expect((await getEvent(roomA, redaction)).type).toBe("m.room.redaction");
    const target = await getEvent(roomA, message);
    expect(target.content).toEqual({});
    expect(target.unsigned?.redacted_because?.event_id).toBe(redaction);
  });

  it("the same txnId in another room, or for another event type, makes a new event there", async () => {
    const first = await send(roomA, "m.room.message", "same");
    const otherRoom = await send(roomB, "m.room.message", "same");
    const otherType = await send(roomA, "org.example.custom", "same", { x: 1 });
    expect(new Set([first, otherRoom, otherType]).size).toBe(3);
    expect((await getEvent(roomB, otherRoom)).room_id).toBe(roomB);
    expect((await getEvent(roomA, otherType)).type).toBe("org.example.custom");
  });

  it("a retry on the same path returns the first event, also from a fresh memory (as after a restart)", async () => {
    const first = await send(roomA, "m.room.message", "retry");
    expect(await send(roomA, "m.room.message", "retry", { msgtype: "m.text", body: "different body" })).toBe(first);
    const message = await send(roomA, "m.room.message", "to-redact");
    const redaction = await put(`/rooms/${enc(roomA)}/redact/${enc(message)}/r1`, {});
    expect(await put(`/rooms/${enc(roomA)}/redact/${enc(message)}/r1`, {})).toBe(redaction);
    const { user_id: userId, device_id: deviceId } = (await app.http.inject({ method: "GET", url: `${V3}/account/whoami`, headers: bearer(alice) })).json();
    const fresh = new TxnIdMemory(new TxnStore(app.ctx.db));
    const refs = [
      { userId, deviceId, scope: txnScopes.send(roomA, "m.room.message"), txnId: "retry" },
      { userId, deviceId, scope: txnScopes.redact(roomA, message), txnId: "r1" },
    ];
    const found = await fresh.lookup(refs);
    expect(refs.map((r) => found.get(txnKey(r.userId, r.deviceId, r.scope, r.txnId)))).toEqual([first, redaction]);
  });
});

describe.each(testDrivers())("the txnId scope migration on %s", (driver) => {
  it("gives every existing row the scope of the event it made, so retries after the upgrade still match", async () => {
    const test = await openTestDatabase(driver, { migrate: false });
    try {
      const { database } = test;
      await migrateTo(database, "20261129T0900-receipts");
      const room = "!old:test.local";
      const event = (streamPos: number, eventId: string, type: string, json: object) => ({
        stream_pos: streamPos, event_id: eventId, room_id: room, room_seq: streamPos, type, sender: "@a:test.local", depth: streamPos,
        origin_server_ts: 1, json: JSON.stringify({ event_id: eventId, type, room_id: room, ...json }),
      });
      const db = database.db;
      await sql`INSERT INTO rooms (room_id, room_version, creator, created_ts) VALUES (${room}, '10', '@a:test.local', 1)`.execute(db);
      await sql`INSERT INTO events (stream_pos, event_id, room_id, room_seq, type, sender, depth, origin_server_ts, json) VALUES
        (1, '$m', ${room}, 1, 'm.room.message', '@a:test.local', 1, 1, ${event(1, "$m", "m.room.message", { content: {} }).json}),
        (2, '$r10', ${room}, 2, 'm.room.redaction', '@a:test.local', 2, 1, ${event(2, "$r10", "m.room.redaction", { redacts: "$m", content: {} }).json}),
        (3, '$r11', ${room}, 3, 'm.room.redaction', '@a:test.local', 3, 1, ${event(3, "$r11", "m.room.redaction", { content: { redacts: "$m" } }).json})`.execute(db);
      await sql`INSERT INTO txn_ids (user_id, device_id, txn_id, event_id, room_id, created_ts) VALUES
        ('@a:test.local', 'D', 't1', '$m', ${room}, 1), ('@a:test.local', 'D', 't2', '$r10', ${room}, 2), ('@a:test.local', 'D', 't3', '$r11', ${room}, 3)`.execute(db);
      await migrateToLatest(database);
      const store = new TxnStore(database.db);
      const refs = [
        { userId: "@a:test.local", deviceId: "D", scope: txnScopes.send(room, "m.room.message"), txnId: "t1" },
        { userId: "@a:test.local", deviceId: "D", scope: txnScopes.redact(room, "$m"), txnId: "t2" },
        { userId: "@a:test.local", deviceId: "D", scope: txnScopes.redact(room, "$m"), txnId: "t3" },
      ];
      const found = await store.findMany(refs);
      expect(refs.map((r) => found.get(txnKey(r.userId, r.deviceId, r.scope, r.txnId)))).toEqual(["$m", "$r10", "$r11"]);
    } finally {
      await test.dispose();
    }
  });
});
