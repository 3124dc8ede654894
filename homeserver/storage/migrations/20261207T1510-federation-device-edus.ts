import { sql, type Kysely } from "kysely";

// The federation half of device messaging (m.direct_to_device, m.device_list_update).
// - federation_outbox_edus: EDUs that must reach a destination (to-device messages, device list updates), written
//   in the transaction of the change they carry and deleted only once the destination has answered 200 to a
//   transaction holding them; a restart resumes from here. stream_id orders one destination's rows.
// - device_list_outbound_streams: per local user, the stream_id of the last m.device_list_update made for them
//   (the next one's prev_id, and GET /user/devices' stream_id).
// - device_list_remote_positions: per remote user, the stream_id of their last update we applied (or learnt by a
//   resync): an update whose prev_id names something else means one was lost.
// - federation_inbound_to_device: the (origin, message_id) of the m.direct_to_device EDUs delivered, so that a
//   transaction retried by its sender delivers nothing twice. Pruned after a week (Synapse prunes its own too).
// - to_device_txns gets an index on created_ts for the daily pruning of request ids older than a day.
const STATEMENTS = [
  `CREATE TABLE federation_outbox_edus (
     destination text NOT NULL,
     stream_id bigserial NOT NULL,
     edu_type text NOT NULL,
     content text NOT NULL,
     created_ts bigint NOT NULL,
     PRIMARY KEY (destination, stream_id)
   )`,
  `CREATE TABLE device_list_outbound_streams (
     user_id text PRIMARY KEY,
     stream_id bigint NOT NULL
   )`,
  `CREATE TABLE device_list_remote_positions (
     user_id text PRIMARY KEY,
     stream_id bigint NOT NULL,
     updated_ts bigint NOT NULL
   )`,
  `CREATE TABLE federation_inbound_to_device (
     origin text NOT NULL,
     message_id text NOT NULL,
     received_ts bigint NOT NULL,
     PRIMARY KEY (origin, message_id)
   )`,
  `CREATE INDEX federation_inbound_to_device_received ON federation_inbound_to_device (received_ts)`,
  `CREATE INDEX to_device_txns_created ON to_device_txns (created_ts)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
