import { sql, type Kysely } from "kysely";

// Push outcomes stored once per event for the members who share them (storage/stores/push-actions-store.ts):
// a message into a room of a thousand members wrote a thousand event_push_actions rows, and cost the write
// twenty times its time without push rules. event_push_actions keeps the members whose outcome differs
// (notify = false: the room row does not apply to them); push_member_since says from where room rows count
// for a member (the start of their current stay in the room).
const STATEMENTS = [
  `CREATE TABLE event_push_room_actions (
     room_id text NOT NULL,
     stream_pos bigint NOT NULL,
     event_id text NOT NULL,
     thread_id text NOT NULL,
     sender text NOT NULL,
     highlight boolean NOT NULL,
     actions text NOT NULL,
     ts bigint NOT NULL,
     PRIMARY KEY (room_id, stream_pos)
   )`,
  `CREATE INDEX event_push_room_actions_event ON event_push_room_actions (event_id)`,
  `ALTER TABLE event_push_actions ADD COLUMN notify boolean NOT NULL DEFAULT true`,
  `CREATE TABLE push_member_since (
     user_id text NOT NULL,
     room_id text NOT NULL,
     since_pos bigint NOT NULL,
     PRIMARY KEY (user_id, room_id)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
