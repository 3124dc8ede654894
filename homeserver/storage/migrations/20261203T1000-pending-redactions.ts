import { sql, type Kysely } from "kysely";

// Redactions received over federation before the event they redact: applied, if they may be, when that
// event arrives (Synapse keeps every redaction in its `redactions` table for the same purpose).
const STATEMENTS = [
  `CREATE TABLE pending_redactions (
     redacts text NOT NULL,
     redaction_id text NOT NULL,
     room_id text NOT NULL,
     PRIMARY KEY (redacts, redaction_id)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
