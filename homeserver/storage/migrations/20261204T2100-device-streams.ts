import { sql, type Kysely } from "kysely";

// The two device streams of /sync (streams/sync-token.ts: to_device and device_lists positions).
// - to_device_messages: messages queued for one device, in stream order, deleted once the device's sync
//   acknowledges them (a later since). They go with their device (ON DELETE CASCADE). to_device_txns makes
//   PUT /sendToDevice/{eventType}/{txnId} idempotent per device.
// - stream_high_water: the highest position a stream whose rows are deleted has handed out, raised in each
//   write's transaction, so positions never go back after a restart.
// - device_list_changes: a user's devices or device keys changed at a position (kept; sync's device_lists and
//   /keys/changes read it).
const STATEMENTS = [
  `CREATE TABLE to_device_messages (
     user_id text NOT NULL,
     device_id text NOT NULL,
     stream_pos bigint NOT NULL,
     sender text NOT NULL,
     type text NOT NULL,
     content text NOT NULL,
     message_id text NOT NULL,
     PRIMARY KEY (user_id, device_id, stream_pos),
     FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
  `CREATE TABLE to_device_txns (
     user_id text NOT NULL,
     device_id text NOT NULL,
     event_type text NOT NULL,
     txn_id text NOT NULL,
     created_ts bigint NOT NULL,
     PRIMARY KEY (user_id, device_id, event_type, txn_id)
   )`,
  `CREATE TABLE stream_high_water (
     stream text PRIMARY KEY,
     position bigint NOT NULL
   )`,
  `CREATE TABLE device_list_changes (
     stream_pos bigint PRIMARY KEY,
     user_id text NOT NULL
   )`,
  `CREATE INDEX device_list_changes_user ON device_list_changes (user_id, stream_pos)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
