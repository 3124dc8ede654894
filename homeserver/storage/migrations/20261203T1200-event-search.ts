import { sql, type Kysely } from "kysely";

// Server-side search (POST /search) over PostgreSQL's full-text search, on both drivers (PGlite has the same
// text search configurations). The events are indexed through an expression index over the stored JSON, so
// the write pipeline stays as it is, and CREATE INDEX indexes every event already stored.
//
// event_search_vector() is the searchable text of an event as a tsvector: content.body of m.room.message,
// content.name of m.room.name, content.topic of m.room.topic (the spec's three search keys; each event type
// has one). It returns NULL for anything else, and swallows errors, because an index expression that raised
// would make the event's INSERT fail: the stored JSON may hold escapes PostgreSQL's jsonb refuses (a lone
// surrogate, \u0000), and to_tsvector refuses a vector over 1 MB. The configuration is named with its schema
// so that the function is immutable whatever the search_path. The index is partial on the three types: other
// events cost nothing at insert, and queries repeat that predicate (SEARCHABLE_TYPES in event-search-store.ts)
// so that the planner can use it.
const STATEMENTS = [
  `CREATE FUNCTION event_search_vector(event_type text, event_json text) RETURNS tsvector
     LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
   DECLARE
     field text;
     value jsonb;
   BEGIN
     field := CASE event_type
       WHEN 'm.room.message' THEN 'body'
       WHEN 'm.room.name' THEN 'name'
       WHEN 'm.room.topic' THEN 'topic'
     END;
     IF field IS NULL THEN
       RETURN NULL;
     END IF;
     value := event_json::jsonb -> 'content' -> field;
     IF jsonb_typeof(value) IS DISTINCT FROM 'string' THEN
       RETURN NULL;
     END IF;
     RETURN to_tsvector('pg_catalog.english', value #>> '{}');
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END
   $$`,
  `CREATE INDEX events_search ON events USING gin (event_search_vector(type, json))
     WHERE type IN ('m.room.message', 'm.room.name', 'm.room.topic')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_search`.execute(db);
  await sql`DROP FUNCTION IF EXISTS event_search_vector(text, text)`.execute(db);
}
