import { sql, type Kysely } from "kysely";

// Missed calls for the pushers' counts (counts.missed_calls): the call invites of a room after a member's read
// position. Only m.call.invite rows are in the index, so other events pay nothing for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX events_call_invites ON events (room_id, stream_pos) WHERE type = 'm.call.invite'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
