import { sql, type Kysely } from "kysely";

// User-interactive auth sessions, kept in the database so that every process over it knows every session (a
// client's next request may reach another process) and a restart does not lose one mid-registration.
// A row is keyed by the SHA-256 of the session id, which clients hold as a secret: a copy of the database names
// no live session. operation and user_id are what the session authorises; client_params are the first request's
// parameters (later requests of the session may replace some); completed maps each completed stage to its
// result. outcome_claim and outcome_claimed_ts mark the request running an operation that must happen once
// (registration); outcome is its result, sealed with a key only the session id gives.
const STATEMENTS = [
  `CREATE TABLE uia_sessions (
     session_hash text PRIMARY KEY,
     operation text NOT NULL,
     user_id text,
     client_params jsonb NOT NULL,
     completed jsonb NOT NULL DEFAULT '{}'::jsonb,
     created_ts bigint NOT NULL,
     updated_ts bigint NOT NULL,
     expires_ts bigint NOT NULL,
     outcome_claim text,
     outcome_claimed_ts bigint,
     outcome text
   )`,
  `CREATE INDEX uia_sessions_by_expiry ON uia_sessions (expires_ts)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
