import { sql } from "kysely";
import type { Db } from "../database.js";

/** The durable EDU types that carry a user's whole current state, or name the update before them. */
const LATEST_PER_USER_KEPT = ["m.device_list_update", "m.signing_key_update"];

/**
 * The expiry of federation_outbox_edus rows a destination never took: queued before `cutoffTs`, they are deleted,
 * except each user's latest device list update and latest signing key update for that destination. Those are
 * few (one per user and type) and are what lets the destination catch up when it returns: the latest device
 * list update's prev_id names an update it never got, so it resyncs the user's list (GET /user/devices), and the
 * latest signing key update carries both current keys. To-device messages that old are dropped: the keys they
 * carried are long replaced, and clients ask again for what they miss.
 */
export class DurableEduExpiryStore {
  constructor(private readonly db: Db) {}

  /** Returns how many rows were deleted. */
  async expire(destination: string, cutoffTs: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      WITH kept AS (
        SELECT DISTINCT ON (edu_type, content::jsonb ->> 'user_id') stream_id
        FROM federation_outbox_edus
        WHERE destination = ${destination} AND edu_type IN (SELECT jsonb_array_elements_text(${JSON.stringify(LATEST_PER_USER_KEPT)}::jsonb))
        ORDER BY edu_type, content::jsonb ->> 'user_id', stream_id DESC
      ), deleted AS (
        DELETE FROM federation_outbox_edus
        WHERE destination = ${destination} AND created_ts < ${cutoffTs} AND stream_id NOT IN (SELECT stream_id FROM kept)
        RETURNING 1
      )
      SELECT count(*)::integer AS n FROM deleted`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }
}
