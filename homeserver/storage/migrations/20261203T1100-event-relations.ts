import { sql, type Kysely } from "kysely";

// Event relationships (content.m.relates_to with a rel_type and an event_id) are found through indexes over the
// stored event JSON, so the write pipeline stays as it is: no table to fill in the send's statement.
//
// event_relation_part() reads one field of a relation, or NULL when the event has no well-formed relation.
// It swallows parse errors because the stored JSON may hold escapes that PostgreSQL's json types refuse (a lone
// surrogate such as "\ud800", which clients and servers may send): an index expression that raised would make
// the event's INSERT fail. Both indexes are partial on a substring test, so events without "m.relates_to" (most
// of them) cost one scan of their text and are never parsed. Queries repeat that predicate word for word
// (RELATION_PREDICATE in relations-store.ts) so that the planner can use the indexes.
const STATEMENTS = [
  `CREATE FUNCTION event_relation_part(event_json text, part text) RETURNS text
     LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
   DECLARE
     relation jsonb;
   BEGIN
     relation := event_json::jsonb -> 'content' -> 'm.relates_to';
     IF jsonb_typeof(relation -> 'rel_type') IS DISTINCT FROM 'string'
        OR jsonb_typeof(relation -> 'event_id') IS DISTINCT FROM 'string' THEN
       RETURN NULL;
     END IF;
     RETURN relation ->> part;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END
   $$`,
  // The children of an event, in stream order: /relations, bundled aggregations, related_by_* filters.
  `CREATE INDEX events_relation_parent ON events (event_relation_part(json, 'event_id'), stream_pos)
     WHERE json LIKE '%"m.relates_to"%'`,
  // A room's thread events, newest first: /threads.
  `CREATE INDEX events_room_threads ON events (room_id, stream_pos)
     WHERE json LIKE '%"m.relates_to"%' AND event_relation_part(json, 'rel_type') = 'm.thread'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_room_threads`.execute(db);
  await sql`DROP INDEX IF EXISTS events_relation_parent`.execute(db);
  await sql`DROP FUNCTION IF EXISTS event_relation_part(text, text)`.execute(db);
}
