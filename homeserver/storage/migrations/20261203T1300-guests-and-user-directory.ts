import { sql, type Kysely } from "kysely";

// Guest accounts (the spec's guest access module) are a flag on the account, so that every token of the
// account answers the same once the guest upgrades to a full account. The user directory reads current
// membership at search time; finding the rooms whose join rules or history visibility make their members
// searchable by anyone must not scan every state entry of every room, hence the partial index.
const STATEMENTS = [
  `ALTER TABLE users ADD COLUMN is_guest boolean NOT NULL DEFAULT false`,
  `CREATE INDEX current_state_room_settings ON current_state (type, room_id) WHERE state_key = ''`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS current_state_room_settings`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS is_guest`.execute(db);
}
