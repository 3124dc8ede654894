import { sql, type Kysely } from "kysely";

// Refreshing looks up the access token issued with a refresh token, to revoke it; without this index every
// refresh would scan all access tokens.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX access_tokens_refresh ON access_tokens (refresh_token_hash) WHERE refresh_token_hash IS NOT NULL`.execute(db);
  await sql`CREATE INDEX user_filters_user ON user_filters (user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS access_tokens_refresh`.execute(db);
  await sql`DROP INDEX IF EXISTS user_filters_user`.execute(db);
}
