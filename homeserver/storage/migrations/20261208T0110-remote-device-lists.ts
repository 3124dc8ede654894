import { sql, type Kysely } from "kysely";

// The device lists of remote users we share a room with, kept as Synapse keeps them, so that /keys/query for them
// is answered here (their server may be slow or down) and follows their m.device_list_update EDUs.
// - remote_device_lists: a user whose whole list we hold, complete as of the stream id in
//   device_list_remote_positions (filled by a resync through GET /user/devices, kept by updates that follow it).
//   A user not listed is asked of their server.
// - remote_device_list_devices: their devices; key_json is the device keys' canonical JSON (NULL for a device
//   that has not uploaded keys, which /keys/query leaves out), display_name what their server said of it.
// The positions kept so far came without devices: forgetting them makes each user's next update a resync, which
// fills the cache.
const STATEMENTS = [
  `CREATE TABLE remote_device_lists (
     user_id text PRIMARY KEY,
     cached_ts bigint NOT NULL
   )`,
  `CREATE TABLE remote_device_list_devices (
     user_id text NOT NULL REFERENCES remote_device_lists (user_id) ON DELETE CASCADE,
     device_id text NOT NULL,
     key_json text,
     display_name text,
     PRIMARY KEY (user_id, device_id)
   )`,
  `DELETE FROM device_list_remote_positions`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
