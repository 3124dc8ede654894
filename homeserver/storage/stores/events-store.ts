import type { Db, Tx } from "../database.js";
import type { IdentifiedPdu } from "../../events/pdu.js";

export interface StoredEvent {
  streamPos: number;
  roomSeq: number;
  pdu: IdentifiedPdu;
  unsigned: Record<string, unknown> | null;
  senderDevice: string | null;
  txnId: string | null;
  redactedBy: string | null;
  stateGroupBefore: number | null;
  stateGroupAfter: number | null;
}

export interface NewEventRow {
  /** Given separately: the v12 create event carries no room_id. */
  roomId: string;
  streamPos: number;
  roomSeq: number;
  pdu: IdentifiedPdu;
  unsigned: Record<string, unknown> | null;
  senderDevice: string | null;
  txnId: string | null;
  stateGroupBefore: number | null;
  stateGroupAfter: number | null;
  /** For events from other servers that are not placed in the timeline. */
  outlier?: boolean;
  softFailed?: boolean;
  rejectedReason?: string | null;
}

export interface TxnIdRow {
  user_id: string;
  device_id: string;
  scope: string;
  txn_id: string;
  event_id: string;
  room_id: string;
  created_ts: number;
}

export type Row = {
  stream_pos: number;
  room_seq: number;
  event_id: string;
  json: string;
  unsigned_json: string | null;
  sender_device: string | null;
  txn_id: string | null;
  redacted_by: string | null;
  state_group_before: number | null;
  state_group_after: number | null;
};

export const COLUMNS = [
  "stream_pos",
  "room_seq",
  "event_id",
  "json",
  "unsigned_json",
  "sender_device",
  "txn_id",
  "redacted_by",
  "state_group_before",
  "state_group_after",
] as const;

export function fromRow(row: Row): StoredEvent {
  const pdu = JSON.parse(row.json) as IdentifiedPdu;
  pdu.event_id = row.event_id;
  return {
    streamPos: Number(row.stream_pos),
    roomSeq: Number(row.room_seq),
    pdu,
    unsigned: row.unsigned_json ? JSON.parse(row.unsigned_json) : null,
    senderDevice: row.sender_device,
    txnId: row.txn_id,
    redactedBy: row.redacted_by,
    stateGroupBefore: row.state_group_before === null ? null : Number(row.state_group_before),
    stateGroupAfter: row.state_group_after === null ? null : Number(row.state_group_after),
  };
}

/** The room event stream: every persisted event with its stream position and per-room sequence. */
export class EventsStore {
  constructor(private readonly db: Db) {}

  /**
   * Inserts events, and with them the client transaction ids that name them (one statement via a CTE:
   * this is the send hot path).
   */
  async insertMany(tx: Tx, rows: NewEventRow[], txnIds: TxnIdRow[] = []): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((row) => {
      const { pdu } = row;
      return {
        stream_pos: row.streamPos,
        event_id: pdu.event_id,
        room_id: row.roomId,
        room_seq: row.roomSeq,
        type: pdu.type,
        state_key: pdu.state_key ?? null,
        sender: pdu.sender,
        depth: pdu.depth,
        origin_server_ts: pdu.origin_server_ts,
        membership: pdu.type === "m.room.member" ? String(pdu.content.membership ?? "") : null,
        json: JSON.stringify(pdu),
        unsigned_json: row.unsigned ? JSON.stringify(row.unsigned) : null,
        sender_device: row.senderDevice,
        txn_id: row.txnId,
        redacted_by: null,
        state_group_before: row.stateGroupBefore,
        state_group_after: row.stateGroupAfter,
        outlier: row.outlier ?? false,
        soft_failed: row.softFailed ?? false,
        rejected_reason: row.rejectedReason ?? null,
      };
    });
    if (txnIds.length === 0) {
      await tx.insertInto("events").values(values).execute();
      return;
    }
    await tx.with("recorded_txns", (db) => db.insertInto("txn_ids").values(txnIds)).insertInto("events").values(values).execute();
  }

  /** An event held as an outlier (fetched for auth) becomes part of the visible history, at `streamPos`. */
  async promoteOutlier(tx: Tx, eventId: string, streamPos: number, stateGroupBefore: number | null): Promise<void> {
    await tx.updateTable("events").set({ outlier: false, stream_pos: streamPos, state_group_before: stateGroupBefore }).where("event_id", "=", eventId).execute();
  }

  async markRedacted(tx: Tx, eventId: string, redactionId: string): Promise<void> {
    await tx.updateTable("events").set({ redacted_by: redactionId }).where("event_id", "=", eventId).where("redacted_by", "is", null).execute();
  }

  /** Which of `eventIds` we hold, and whether each was rejected (a rejected event never authorises another). */
  async knownStatus(eventIds: string[]): Promise<Map<string, { rejected: boolean; outlier: boolean; stateGroupAfter: number | null }>> {
    const result = new Map<string, { rejected: boolean; outlier: boolean; stateGroupAfter: number | null }>();
    if (eventIds.length === 0) return result;
    const rows = await this.db
      .selectFrom("events")
      .select(["event_id", "rejected_reason", "outlier", "state_group_after"])
      .where("event_id", "in", [...new Set(eventIds)])
      .execute();
    for (const r of rows) {
      result.set(r.event_id, { rejected: r.rejected_reason !== null, outlier: r.outlier, stateGroupAfter: r.state_group_after === null ? null : Number(r.state_group_after) });
    }
    return result;
  }

  async get(eventId: string, db: Db | Tx = this.db): Promise<StoredEvent | undefined> {
    const row = await db.selectFrom("events").select(COLUMNS).where("event_id", "=", eventId).executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }

  async getMany(eventIds: string[], db: Db | Tx = this.db): Promise<Map<string, StoredEvent>> {
    const result = new Map<string, StoredEvent>();
    if (eventIds.length === 0) return result;
    const rows = await db.selectFrom("events").select(COLUMNS).where("event_id", "in", [...new Set(eventIds)]).execute();
    for (const row of rows) result.set(row.event_id, fromRow(row as Row));
    return result;
  }

  /** Events of `rooms` with from < stream_pos <= to, oldest first, at most `limit` (the newest ones if cut). */
  async roomEventsBetween(roomId: string, from: number, to: number, limit: number): Promise<{ events: StoredEvent[]; limited: boolean }> {
    const rows = await this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("room_id", "=", roomId)
      .where("stream_pos", ">", from)
      .where("stream_pos", "<=", to)
      .orderBy("stream_pos", "desc")
      .limit(limit + 1)
      .execute();
    const limited = rows.length > limit;
    return { events: rows.slice(0, limit).reverse().map((r) => fromRow(r as Row)), limited };
  }

  /** Paginates a room: dir "b" walks back from `from` (exclusive), "f" forward from it. */
  async paginate(roomId: string, from: number, dir: "b" | "f", limit: number, to?: number): Promise<StoredEvent[]> {
    let query = this.db.selectFrom("events").select(COLUMNS).where("room_id", "=", roomId).where("stream_pos", ">", 0);
    if (dir === "b") {
      query = query.where("stream_pos", "<=", from);
      if (to !== undefined) query = query.where("stream_pos", ">", to);
      query = query.orderBy("stream_pos", "desc");
    } else {
      query = query.where("stream_pos", ">", from);
      if (to !== undefined) query = query.where("stream_pos", "<=", to);
      query = query.orderBy("stream_pos", "asc");
    }
    const rows = await query.limit(limit).execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** Every live event with from < stream_pos <= to, in stream order (the federation sender's feed). */
  async streamRange(from: number, to: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("stream_pos", ">", from)
      .where("stream_pos", "<=", to)
      .orderBy("stream_pos", "asc")
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** Rooms with any event in (from, to], for incremental sync. */
  async roomsWithEventsBetween(roomIds: string[], from: number, to: number): Promise<Set<string>> {
    if (roomIds.length === 0 || from >= to) return new Set();
    const rows = await this.db
      .selectFrom("events")
      .select("room_id")
      .distinct()
      .where("room_id", "in", roomIds)
      .where("stream_pos", ">", from)
      .where("stream_pos", "<=", to)
      .execute();
    return new Set(rows.map((r) => r.room_id));
  }

  /** The user's membership events with from < stream_pos <= to, oldest first: how their rooms changed. */
  async membershipChangesBetween(userId: string, from: number, to: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("type", "=", "m.room.member")
      .where("state_key", "=", userId)
      .where("stream_pos", ">", from)
      .where("stream_pos", "<=", to)
      .orderBy("stream_pos", "asc")
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** The event at or just before `pos` in the room, for "state at this point of the timeline". */
  async lastEventAtOrBefore(roomId: string, pos: number): Promise<StoredEvent | undefined> {
    const row = await this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("room_id", "=", roomId)
      .where("stream_pos", ">", 0)
      .where("stream_pos", "<=", pos)
      .orderBy("stream_pos", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }
}
