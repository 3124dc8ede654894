import type { Db } from "../database.js";
import { COLUMNS, fromRow, type Row, type StoredEvent } from "./events-store.js";
import { inTimeline } from "./timeline-store.js";

/** /timestamp_to_event: a room's timeline events nearest to a point in time, in one direction. */
export class TimestampLookupStore {
  constructor(private readonly db: Db) {}

  /**
   * Up to `limit` timeline events of the room with origin_server_ts >= ts (dir "f", oldest first) or <= ts
   * (dir "b", newest first); ties in time go in stream order. Timeline events only, as timeline-store.ts defines them.
   */
  async nearest(roomId: string, ts: number, dir: "f" | "b", limit: number): Promise<StoredEvent[]> {
    let query = this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("room_id", "=", roomId)
      .where(inTimeline);
    query =
      dir === "f"
        ? query.where("origin_server_ts", ">=", ts).orderBy("origin_server_ts", "asc").orderBy("stream_pos", "asc")
        : query.where("origin_server_ts", "<=", ts).orderBy("origin_server_ts", "desc").orderBy("stream_pos", "desc");
    const rows = await query.limit(limit).execute();
    return rows.map((r) => fromRow(r as Row));
  }
}
