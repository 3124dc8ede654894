import { sql, type Kysely } from "kysely";

// Content reports (events, rooms, users) for the server's operators, and the OpenID tokens a user hands to a
// third party so that it can learn their user id from us (GET /_matrix/federation/v1/openid/userinfo).
// OpenID tokens are stored as sha256 digests, like access tokens; each expires.
// events_room_ts serves /timestamp_to_event: the closest event to a time in one room.
const STATEMENTS = [
  `CREATE TABLE reports (
     id bigserial PRIMARY KEY,
     kind text NOT NULL,
     reporter text NOT NULL,
     room_id text,
     event_id text,
     target_user_id text,
     reason text,
     score integer,
     received_ts bigint NOT NULL
   )`,
  `CREATE INDEX reports_received ON reports (received_ts)`,
  `CREATE TABLE openid_tokens (
     token_hash text PRIMARY KEY,
     user_id text NOT NULL,
     expires_ts bigint NOT NULL
   )`,
  `CREATE INDEX openid_tokens_expiry ON openid_tokens (expires_ts)`,
  `CREATE INDEX events_room_ts ON events (room_id, origin_server_ts)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
