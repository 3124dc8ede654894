import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../storage/database.js";
import { migrateTo, migrateToLatest } from "../../storage/migrate.js";
import { EventSearchStore, type SearchQuery } from "../../storage/stores/event-search-store.js";
import { openTestDatabase, testDrivers, type TestDatabase } from "../../storage/test-databases.js";

const ROOM = "!search:test.local";
const OTHER = "!other:test.local";
const ALL_TYPES = ["m.room.message", "m.room.name", "m.room.topic"] as const;

/** Inserts event rows as the persist pipeline stores them (the JSON text given as is, escapes and all). */
async function insertEvent(database: Database, row: { pos: number; type: string; json: string; room?: string; redactedBy?: string; outlier?: boolean }) {
  const room = row.room ?? ROOM;
  await sql`INSERT INTO events (stream_pos, event_id, room_id, room_seq, type, sender, depth, origin_server_ts, json, redacted_by)
    VALUES (${row.pos}, ${`$e${row.pos}`}, ${room}, ${row.pos}, ${row.type}, '@a:test.local', ${row.pos}, 1, ${row.json}, ${row.redactedBy ?? null})`.execute(database.db);
  if (row.outlier) await sql`UPDATE events SET outlier = true WHERE stream_pos = ${row.pos}`.execute(database.db);
}

const eventJson = (type: string, content: object) => JSON.stringify({ type, sender: "@a:test.local", content });
const found = async (store: EventSearchStore, query: Partial<SearchQuery> & { term: string }) =>
  (await store.search({ types: ALL_TYPES, windows: [{ roomId: ROOM, until: 1000 }], ...query }, "recent", 100)).map((h) => h.event.pdu.event_id);

describe.each(testDrivers())("the event search migration on %s", (driver) => {
  it("indexes the events a database already holds, and its queries use the index", async () => {
    const test = await openTestDatabase(driver, { migrate: false });
    try {
      const { database } = test;
      await migrateTo(database, "20261203T1100-event-relations");
      await insertEvent(database, { pos: 1, type: "m.room.message", json: eventJson("m.room.message", { body: "an elderly walrus" }) });
      await insertEvent(database, { pos: 2, type: "m.room.topic", json: eventJson("m.room.topic", { topic: "walruses only" }) });
      // JSON that jsonb refuses does not stop the index being built over what is already stored.
      await insertEvent(database, { pos: 3, type: "m.room.message", json: '{"type":"m.room.message","content":{"body":"walrus \\ud800"}}' });
      await migrateToLatest(database);
      const store = new EventSearchStore(database.db);
      expect(await found(store, { term: "walrus" })).toEqual(["$e2", "$e1"]);
      // With sequential scans priced out, the plan for a search reads the expression index.
      const plan = await database.db.connection().execute(async (connection) => {
        await sql`SET enable_seqscan = off`.execute(connection);
        try {
          const { rows } = await sql<{ "QUERY PLAN": string }>`EXPLAIN SELECT event_id FROM events e
            WHERE e.type IN ('m.room.message') AND event_search_vector(e.type, e.json) @@ websearch_to_tsquery('pg_catalog.english', 'walrus')`.execute(connection);
          return rows.map((r) => r["QUERY PLAN"]).join("\n");
        } finally {
          await sql`RESET enable_seqscan`.execute(connection);
        }
      });
      expect(plan).toContain("events_search");
    } finally {
      await test.dispose();
    }
  });
});

describe.each(testDrivers())("EventSearchStore on %s", (driver) => {
  let test: TestDatabase;
  let store: EventSearchStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    store = new EventSearchStore(test.database.db);
    const events: Array<Parameters<typeof insertEvent>[1]> = [
      { pos: 10, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin parade" }) },
      { pos: 11, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin", formatted_body: "<b>otter</b>" }) },
      // The stored JSON may hold what jsonb refuses; the insert must still succeed.
      { pos: 12, type: "m.room.message", json: '{"type":"m.room.message","content":{"body":"penguin \\ud800 lone"}}' },
      { pos: 13, type: "m.room.message", json: '{"type":"m.room.message","content":{"body":"penguin \\u0000 nul"}}' },
      { pos: 14, type: "m.room.message", json: eventJson("m.room.message", { body: 42, penguin: "not the body" }) },
      { pos: 15, type: "org.example.note", json: eventJson("org.example.note", { body: "penguin note" }) },
      { pos: 16, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin redacted" }), redactedBy: "$redaction" },
      { pos: 17, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin outlier" }), outlier: true },
      { pos: 18, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin elsewhere" }), room: OTHER },
      { pos: 19, type: "m.room.message", json: eventJson("m.room.message", { body: "penguin later" }) },
      { pos: 20, type: "m.room.name", json: eventJson("m.room.name", { name: "Penguin HQ" }) },
      { pos: 21, type: "m.room.message", json: eventJson("m.room.message", { body: `penguin ${"word ".repeat(12_000)}` }) },
    ];
    for (const event of events) await insertEvent(test.database, event);
  });
  afterAll(() => test.dispose());

  it("finds the search key of m.room.message, m.room.name and m.room.topic only, never redacted or outlier events", async () => {
    expect(await found(store, { term: "penguin" })).toEqual(["$e21", "$e20", "$e19", "$e11", "$e10"]);
    expect(await found(store, { term: "otter" })).toEqual([]);
    expect(await found(store, { term: "penguin", types: ["m.room.name"] })).toEqual(["$e20"]);
    expect(await store.count({ term: "penguin", types: ALL_TYPES, windows: [{ roomId: ROOM, until: 1000 }] })).toBe(5);
  });

  it("keeps to each room's window and to the senders asked for", async () => {
    expect(await found(store, { term: "penguin", windows: [{ roomId: ROOM, until: 11 }] })).toEqual(["$e11", "$e10"]);
    expect(await found(store, { term: "penguin", windows: [{ roomId: ROOM, until: 10 }, { roomId: OTHER, until: 1000 }] })).toEqual(["$e18", "$e10"]);
    expect(await found(store, { term: "penguin", windows: [] })).toEqual([]);
    expect(await found(store, { term: "penguin", senders: ["@b:test.local"] })).toEqual([]);
    expect(await found(store, { term: "penguin", notSenders: ["@a:test.local"] })).toEqual([]);
  });

  it("continues after a cursor in either order, every match once", async () => {
    const query: SearchQuery = { term: "penguin parade", types: ALL_TYPES, windows: [{ roomId: ROOM, until: 1000 }] };
    expect((await store.search(query, "recent", 10)).map((h) => h.event.streamPos)).toEqual([10]);
    const byRank = await store.search({ ...query, term: "penguin" }, "rank", 100);
    const seen: number[] = [];
    let cursor: { streamPos: number; rank: number } | undefined;
    for (;;) {
      const page = await store.search({ ...query, term: "penguin" }, "rank", 2, cursor);
      if (page.length === 0) break;
      seen.push(...page.map((h) => h.event.streamPos));
      const last = page[page.length - 1];
      cursor = { streamPos: last.event.streamPos, rank: last.rank };
    }
    expect(seen).toEqual(byRank.map((h) => h.event.streamPos));
    expect(byRank[0].rank).toBeGreaterThanOrEqual(byRank[byRank.length - 1].rank);
  });

  it("gives the matched words as written, with markers that the texts do not contain", async () => {
    expect(new Set(await store.highlights("penguins", ["Penguin parade", "two PENGUINS"]))).toEqual(new Set(["penguin", "penguins"]));
    expect(await store.highlights("penguin", ["\u0001penguin\u0002 \u0003"])).toEqual(["penguin"]);
    expect(await store.highlights("penguin", [])).toEqual([]);
  });
});
