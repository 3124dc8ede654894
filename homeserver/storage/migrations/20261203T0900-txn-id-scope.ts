import { sql, type Kysely } from "kysely";

// A client's transaction id is scoped to its device and to the endpoint it was sent to (the spec's
// "Transaction identifiers"): the same txnId on /send in another room or for another event type, or on
// /redact, is a new request. The scope column holds the endpoint and its path parameters, parts joined by
// U+001F (homeserver/rooms/txn-scopes.ts); rows written before it get the scope of the event they made.
const STATEMENTS = [
  `ALTER TABLE txn_ids ADD COLUMN scope text`,
  `UPDATE txn_ids SET scope = CASE
       WHEN e.type = 'm.room.redaction'
         THEN 'redact' || chr(31) || e.room_id || chr(31) || COALESCE(e.json::json ->> 'redacts', e.json::json -> 'content' ->> 'redacts', '')
       ELSE 'send' || chr(31) || e.room_id || chr(31) || e.type
     END
   FROM events e WHERE e.event_id = txn_ids.event_id`,
  // A row whose event is gone (it cannot be, but a scope must not be NULL) keeps matching nothing new.
  `UPDATE txn_ids SET scope = 'unknown' || chr(31) || room_id WHERE scope IS NULL`,
  `ALTER TABLE txn_ids ALTER COLUMN scope SET NOT NULL`,
  `ALTER TABLE txn_ids DROP CONSTRAINT txn_ids_pkey`,
  `ALTER TABLE txn_ids ADD PRIMARY KEY (user_id, device_id, scope, txn_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
