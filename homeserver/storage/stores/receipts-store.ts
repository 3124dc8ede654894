import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** The column value for an unthreaded receipt (thread_id is part of the primary key, so not NULL). */
export const UNTHREADED = "";

export interface ReceiptRow {
  roomId: string;
  userId: string;
  receiptType: string;
  /** UNTHREADED, "main", or a thread root's event id. */
  threadId: string;
  eventId: string;
  data: Record<string, unknown>;
  streamPos: number;
}

/** Room ids per query: keeps the parameter count far below Postgres' limit for users in many rooms. */
const ROOMS_PER_QUERY = 500;

/**
 * `receipts`: the latest receipt per (room, user, type, thread), so a receipt is one row write however large
 * the room, and "what changed in a room since position N" is a range scan on (room_id, stream_pos).
 */
export class ReceiptsStore {
  constructor(private readonly db: Db) {}

  /**
   * Writes `row` unless the stored receipt of the same key is newer. Newer means: it points at an event at
   * or after `eventPos` on the room stream (Synapse ignores such receipts, so a receipt never moves back),
   * or it was written with a larger stream position (a concurrent write that allocated later wins, so the
   * row always holds the write with the highest position). `eventPos` undefined (an event this server does
   * not hold, from another server) skips the event comparison. Returns whether the row was written.
   */
  async upsert(row: ReceiptRow, eventPos: number | undefined, db: Db | Tx = this.db): Promise<boolean> {
    const eventIsOlder =
      eventPos === undefined
        ? sql`true`
        : sql`NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = receipts.event_id AND e.stream_pos >= ${eventPos})`;
    const { rows } = await sql<{ stream_pos: number }>`
      INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, data, stream_pos)
      VALUES (${row.roomId}, ${row.userId}, ${row.receiptType}, ${row.threadId}, ${row.eventId}, ${JSON.stringify(row.data)}::jsonb, ${row.streamPos})
      ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE
        SET event_id = EXCLUDED.event_id, data = EXCLUDED.data, stream_pos = EXCLUDED.stream_pos
        WHERE receipts.stream_pos < EXCLUDED.stream_pos AND ${eventIsOlder}
      RETURNING stream_pos`.execute(db);
    return rows.length > 0;
  }

  /**
   * Receipts of `roomIds` with fromPos < stream_pos <= toPos, oldest first; `fromPos` undefined gives every
   * stored receipt up to `toPos` (an initial sync).
   */
  async inRooms(roomIds: readonly string[], fromPos: number | undefined, toPos: number): Promise<ReceiptRow[]> {
    const result: ReceiptRow[] = [];
    for (let i = 0; i < roomIds.length; i += ROOMS_PER_QUERY) {
      let query = this.db
        .selectFrom("receipts")
        .selectAll()
        .where("room_id", "in", roomIds.slice(i, i + ROOMS_PER_QUERY))
        .where("stream_pos", "<=", toPos);
      if (fromPos !== undefined) query = query.where("stream_pos", ">", fromPos);
      const rows = await query.orderBy("stream_pos").execute();
      for (const r of rows) result.push(fromRow(r));
    }
    return result.sort((x, y) => x.streamPos - y.streamPos);
  }
}

function fromRow(r: { room_id: string; user_id: string; receipt_type: string; thread_id: string; event_id: string; data: unknown; stream_pos: number }): ReceiptRow {
  // Both drivers parse jsonb; a driver handing back text is read the same way.
  const data = typeof r.data === "string" ? (JSON.parse(r.data) as Record<string, unknown>) : (r.data as Record<string, unknown>);
  return {
    roomId: r.room_id,
    userId: r.user_id,
    receiptType: r.receipt_type,
    threadId: r.thread_id,
    eventId: r.event_id,
    data,
    streamPos: Number(r.stream_pos),
  };
}
