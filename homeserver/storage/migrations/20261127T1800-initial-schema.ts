import { sql, type Kysely } from "kysely";

// Raw SQL: the schema is Postgres (real or PGlite), and SQL reads better than a builder here.
// One statement per query, because PGlite's extended protocol takes a single statement at a time.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of SCHEMA.split(";").map((s) => s.trim()).filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

const SCHEMA = `
    CREATE TABLE users (
      user_id text PRIMARY KEY,
      localpart text NOT NULL UNIQUE,
      password_hash text,
      created_ts bigint NOT NULL,
      is_admin boolean NOT NULL DEFAULT false,
      deactivated boolean NOT NULL DEFAULT false,
      displayname text,
      avatar_url text
    );
    CREATE TABLE devices (
      user_id text NOT NULL,
      device_id text NOT NULL,
      display_name text,
      created_ts bigint NOT NULL,
      last_seen_ts bigint,
      last_seen_ip text,
      PRIMARY KEY (user_id, device_id)
    );
    CREATE TABLE access_tokens (
      token_hash text PRIMARY KEY,
      user_id text NOT NULL,
      device_id text NOT NULL,
      created_ts bigint NOT NULL,
      expires_ts bigint,
      refresh_token_hash text
    );
    CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);
    CREATE TABLE refresh_tokens (
      token_hash text PRIMARY KEY,
      user_id text NOT NULL,
      device_id text NOT NULL,
      created_ts bigint NOT NULL,
      used_ts bigint
    );
    CREATE INDEX refresh_tokens_device ON refresh_tokens (user_id, device_id);
    CREATE TABLE user_filters (
      filter_id bigserial PRIMARY KEY,
      user_id text NOT NULL,
      filter_json text NOT NULL
    );
    CREATE SEQUENCE account_data_stream_seq;
    CREATE TABLE account_data (
      user_id text NOT NULL,
      room_id text NOT NULL,
      type text NOT NULL,
      content text NOT NULL,
      stream_pos bigint NOT NULL,
      PRIMARY KEY (user_id, room_id, type)
    );
    CREATE INDEX account_data_stream ON account_data (user_id, stream_pos);
    CREATE TABLE rooms (
      room_id text PRIMARY KEY,
      room_version text NOT NULL,
      creator text NOT NULL,
      created_ts bigint NOT NULL,
      directory_visibility text NOT NULL DEFAULT 'private',
      last_seq bigint NOT NULL DEFAULT 0
    );
    CREATE SEQUENCE events_stream_seq;
    CREATE TABLE events (
      stream_pos bigint PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      room_id text NOT NULL,
      room_seq bigint NOT NULL,
      type text NOT NULL,
      state_key text,
      sender text NOT NULL,
      depth bigint NOT NULL,
      origin_server_ts bigint NOT NULL,
      membership text,
      json text NOT NULL,
      unsigned_json text,
      sender_device text,
      txn_id text,
      redacted_by text,
      state_group_before bigint,
      state_group_after bigint,
      UNIQUE (room_id, room_seq)
    );
    CREATE INDEX events_room_stream ON events (room_id, stream_pos);
    CREATE INDEX events_member_history ON events (state_key, stream_pos) WHERE type = 'm.room.member';
    CREATE TABLE forward_extremities (
      room_id text NOT NULL,
      event_id text NOT NULL,
      PRIMARY KEY (room_id, event_id)
    );
    CREATE TABLE state_groups (
      id bigserial PRIMARY KEY,
      room_id text NOT NULL,
      prev_group bigint,
      chain_length integer NOT NULL
    );
    CREATE TABLE state_group_entries (
      group_id bigint NOT NULL,
      type text NOT NULL,
      state_key text NOT NULL,
      event_id text NOT NULL,
      PRIMARY KEY (group_id, type, state_key)
    );
    CREATE TABLE current_state (
      room_id text NOT NULL,
      type text NOT NULL,
      state_key text NOT NULL,
      event_id text NOT NULL,
      membership text,
      stream_pos bigint NOT NULL,
      PRIMARY KEY (room_id, type, state_key)
    );
    CREATE INDEX current_state_members ON current_state (state_key, membership) WHERE type = 'm.room.member';
    CREATE TABLE txn_ids (
      user_id text NOT NULL,
      device_id text NOT NULL,
      txn_id text NOT NULL,
      event_id text NOT NULL,
      room_id text NOT NULL,
      created_ts bigint NOT NULL,
      PRIMARY KEY (user_id, device_id, txn_id)
    );
    CREATE TABLE room_aliases (
      alias text PRIMARY KEY,
      room_id text NOT NULL,
      creator text NOT NULL,
      created_ts bigint NOT NULL
    );
    CREATE INDEX room_aliases_room ON room_aliases (room_id);
    CREATE TABLE room_forgotten (
      user_id text NOT NULL,
      room_id text NOT NULL,
      PRIMARY KEY (user_id, room_id)
    );
    CREATE TABLE server_keys (
      server_name text NOT NULL,
      key_id text NOT NULL,
      public_key text NOT NULL,
      valid_until_ts bigint NOT NULL,
      expired_ts bigint,
      PRIMARY KEY (server_name, key_id)
    );
    CREATE TABLE registration_tokens (
      token text PRIMARY KEY,
      uses_allowed integer,
      completed integer NOT NULL DEFAULT 0,
      expiry_time bigint
    );
`;

export async function down(): Promise<void> {
  throw new Error("the initial schema cannot be rolled back");
}
