import { sql, type Kysely } from "kysely";

// Receipts: the latest receipt per (room, user, type, thread), so a receipt is one row write however large
// the room. thread_id is '' for an unthreaded receipt. stream_pos orders them on the receipts stream.
const STATEMENTS = [
  `CREATE TABLE receipts (
     room_id text NOT NULL,
     user_id text NOT NULL,
     receipt_type text NOT NULL,
     thread_id text NOT NULL DEFAULT '',
     event_id text NOT NULL,
     data jsonb NOT NULL,
     stream_pos bigint NOT NULL,
     PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
   )`,
  `CREATE INDEX receipts_room_stream ON receipts (room_id, stream_pos)`,
  `CREATE INDEX receipts_stream ON receipts (stream_pos)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
