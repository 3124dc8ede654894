import { sql, type Kysely } from "kysely";

// URL previews (GET /media/v1/preview_url), kept so that every process over the database answers a URL from one
// fetch. A row is one successful fetch of a URL at fetched_ts, usable until expires_ts; a URL may have several
// (the spec's `ts` asks for the preview of a moment). Keyed by the SHA-256 of the URL, which may be longer than
// an index entry can hold. og is the JSON answered to clients. Expired rows are deleted as new ones are written.
const STATEMENTS = [
  `CREATE TABLE url_previews (
     url_hash text NOT NULL,
     url text NOT NULL,
     fetched_ts bigint NOT NULL,
     expires_ts bigint NOT NULL,
     og text NOT NULL,
     PRIMARY KEY (url_hash, fetched_ts)
   )`,
  `CREATE INDEX url_previews_by_expiry ON url_previews (expires_ts)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
