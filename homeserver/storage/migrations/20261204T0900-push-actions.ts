import { sql, type Kysely } from "kysely";

// What push rules decided for each local member at each event that notifies them (Synapse's
// event_push_actions): written in the same transaction as the event, so the counts a sync reads always
// match the timeline it returns. thread_id is 'main' for the main timeline, else the thread root's event id.
const STATEMENTS = [
  `CREATE TABLE event_push_actions (
     user_id text NOT NULL,
     stream_pos bigint NOT NULL,
     room_id text NOT NULL,
     event_id text NOT NULL,
     thread_id text NOT NULL,
     highlight boolean NOT NULL,
     actions text NOT NULL,
     ts bigint NOT NULL,
     PRIMARY KEY (user_id, stream_pos)
   )`,
  `CREATE INDEX event_push_actions_user_room ON event_push_actions (user_id, room_id, stream_pos)`,
  `CREATE INDEX event_push_actions_event ON event_push_actions (event_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
