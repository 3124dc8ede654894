import { sql, type Kysely } from "kysely";

// Running counters on the shared push rows (storage/stores/push-actions-store.ts), so that a member's unread
// count is a difference of two counters instead of a count of every row since their receipt: with readers who
// never send receipts, a sync into a room of 500 counted 500 times the room's whole backlog per message.
// n_seq/h_seq count a (room, thread)'s notifying rows and highlights up to and including the row; the primary
// key becomes (room, thread, position) so that finding the counter at a position is one index lookup. A redacted
// event's row stays, marked, so that later counters stay true; counts leave it out.
// push_room_threads: a room's threads with rows and the latest row's position in each, so that a count knows
// which threads to look at. push_read_marks: a local user's latest own event per (room, thread), which marks
// what came before it as read (the spec's "by sending an event"), and so also keeps their own events out of
// their counts.
const STATEMENTS = [
  `ALTER TABLE event_push_room_actions
     ADD COLUMN n_seq bigint NOT NULL DEFAULT 0,
     ADD COLUMN h_seq bigint NOT NULL DEFAULT 0,
     ADD COLUMN redacted boolean NOT NULL DEFAULT false`,
  `UPDATE event_push_room_actions o SET n_seq = c.n_seq, h_seq = c.h_seq
   FROM (
     SELECT room_id, stream_pos, count(*) OVER room_thread AS n_seq, count(*) FILTER (WHERE highlight) OVER room_thread AS h_seq
     FROM event_push_room_actions
     WINDOW room_thread AS (PARTITION BY room_id, thread_id ORDER BY stream_pos)
   ) c
   WHERE o.room_id = c.room_id AND o.stream_pos = c.stream_pos`,
  `ALTER TABLE event_push_room_actions DROP CONSTRAINT event_push_room_actions_pkey`,
  `ALTER TABLE event_push_room_actions ADD PRIMARY KEY (room_id, thread_id, stream_pos) INCLUDE (n_seq, h_seq)`,
  `CREATE INDEX event_push_room_actions_redacted ON event_push_room_actions (room_id, thread_id, stream_pos) WHERE redacted`,
  `CREATE TABLE push_room_threads (
     room_id text NOT NULL,
     thread_id text NOT NULL,
     last_pos bigint NOT NULL,
     PRIMARY KEY (room_id, thread_id)
   )`,
  `INSERT INTO push_room_threads (room_id, thread_id, last_pos)
   SELECT room_id, thread_id, max(stream_pos) FROM event_push_room_actions GROUP BY room_id, thread_id`,
  `CREATE TABLE push_read_marks (
     user_id text NOT NULL,
     room_id text NOT NULL,
     thread_id text NOT NULL,
     pos bigint NOT NULL,
     PRIMARY KEY (user_id, room_id, thread_id)
   )`,
  // Rows of events that came before: their senders' latest notifying event per thread, the best evidence left.
  `INSERT INTO push_read_marks (user_id, room_id, thread_id, pos)
   SELECT sender, room_id, thread_id, max(stream_pos) FROM event_push_room_actions GROUP BY sender, room_id, thread_id`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
