import { sql, type Kysely } from "kysely";

// Server-side key backups (/room_keys): each user's backup versions, and the encrypted room keys in each.
// A deleted version keeps its row, marked deleted, so that its number is never handed out again and deleting it a
// second time still succeeds (the spec); its keys are removed at once. `etag` counts the changes to a version's
// keys. Version numbers rise per user: the newest version not deleted is the current one.
// JSON (auth_data, session_data) is kept as text, exactly as the client sent it.
const STATEMENTS = [
  `CREATE TABLE key_backup_versions (
     user_id text NOT NULL,
     version bigint NOT NULL,
     algorithm text NOT NULL,
     auth_data text NOT NULL,
     etag bigint NOT NULL DEFAULT 0,
     deleted boolean NOT NULL DEFAULT false,
     PRIMARY KEY (user_id, version)
   )`,
  `CREATE TABLE key_backup_keys (
     user_id text NOT NULL,
     version bigint NOT NULL,
     room_id text NOT NULL,
     session_id text NOT NULL,
     first_message_index bigint NOT NULL,
     forwarded_count bigint NOT NULL,
     is_verified boolean NOT NULL,
     session_data text NOT NULL,
     PRIMARY KEY (user_id, version, room_id, session_id)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
