import { sql, type Kysely } from "kysely";

// A notary must hand out the origin server's own signed key response, byte for byte as signed, so the
// parsed keys in server_keys are not enough: keep the latest response that listed each key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE server_key_json (
      server_name text NOT NULL,
      key_id text NOT NULL,
      from_server text NOT NULL,
      fetched_ts bigint NOT NULL,
      valid_until_ts bigint NOT NULL,
      key_json text NOT NULL,
      PRIMARY KEY (server_name, key_id)
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS server_key_json`.execute(db);
}
