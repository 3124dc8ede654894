import { sql, type Kysely } from "kysely";

// Events received over federation: outliers (auth and state events we hold without placing them in the
// timeline), rejected and soft-failed events; inbound transaction de-duplication; the durable sender's
// per-destination cursor.
const STATEMENTS = [
  `ALTER TABLE events ADD COLUMN outlier boolean NOT NULL DEFAULT false`,
  `ALTER TABLE events ADD COLUMN rejected_reason text`,
  `ALTER TABLE events ADD COLUMN soft_failed boolean NOT NULL DEFAULT false`,
  `CREATE TABLE federation_inbound_txns (
     origin text NOT NULL,
     txn_id text NOT NULL,
     response text NOT NULL,
     received_ts bigint NOT NULL,
     PRIMARY KEY (origin, txn_id)
   )`,
  `CREATE TABLE federation_destinations (
     destination text PRIMARY KEY,
     last_sent_stream_pos bigint NOT NULL,
     retry_at_ts bigint,
     retry_interval_ms bigint NOT NULL DEFAULT 0
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
