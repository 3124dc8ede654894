import { sql, type Kysely } from "kysely";

// Pushers (POST /pushers/set) and the durable state of each one's delivery loop (homeserver/push/pushers/).
// A pusher belongs to the device whose access token made it: the foreign key with ON DELETE CASCADE takes it
// with the device, whichever way the device goes (logout, logout/all, DELETE /devices, deactivation, a password
// change that logs out the other devices), in the same transaction. A device holds one live access token at a
// time here (login with its id replaces the old one, /refresh rotates it), so the device is the token's owner
// across refreshes; an update by another device of the same user keeps the pusher's device, as Synapse does.
// last_stream_pos is the loop's cursor: the events-stream position up to which notifications were sent (or
// given up on); failing_since when the gateway started failing. claimed_by/claimed_until: the process that
// sends for this pusher, for a while, so two processes over one database never send the same notification.
const STATEMENTS = [
  `CREATE TABLE pushers (
     id bigserial PRIMARY KEY,
     user_id text NOT NULL,
     device_id text NOT NULL,
     kind text NOT NULL,
     app_id text NOT NULL,
     pushkey text NOT NULL,
     app_display_name text NOT NULL,
     device_display_name text NOT NULL,
     profile_tag text,
     lang text NOT NULL,
     data text NOT NULL,
     pushkey_ts bigint NOT NULL,
     last_stream_pos bigint NOT NULL,
     last_success_ts bigint,
     failing_since bigint,
     claimed_by text,
     claimed_until bigint NOT NULL DEFAULT 0,
     UNIQUE (user_id, app_id, pushkey),
     FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
  // append=false removes the same (app_id, pushkey) of other users.
  `CREATE INDEX pushers_app_pushkey ON pushers (app_id, pushkey)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
