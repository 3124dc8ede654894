import { sql, type ExpressionBuilder } from "kysely";
import type { Db } from "../database.js";
import type { Schema } from "../schema.js";
import { COLUMNS, fromRow, type Row, type StoredEvent } from "./events-store.js";

/** The parts of a RoomEventFilter that can be answered in SQL (types may use the spec's "*" wildcard). */
export interface EventSqlFilter {
  types?: readonly string[];
  notTypes?: readonly string[];
  senders?: readonly string[];
  notSenders?: readonly string[];
}

export interface PageRequest {
  /** dir "b": events with stream_pos <= from; dir "f": stream_pos > from (EventsStore.paginate's convention). */
  from: number;
  dir: "b" | "f";
  limit: number;
  /** dir "b": stop above `to` (exclusive); dir "f": up to and including `to`. */
  to?: number;
  filter?: EventSqlFilter;
}

export interface StateChange {
  type: string;
  stateKey: string;
  eventId: string;
  streamPos: number;
}

/** "m.room.*" -> LIKE 'm.room.%', with LIKE's own metacharacters escaped. */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

/**
 * Which rows of `events` are a room's timeline: live events and history backfilled from other servers
 * (negative positions), never outliers, soft-failed or rejected events. Shared by the timeline's reads here
 * and /timestamp_to_event's (timestamp-lookup-store.ts), so the two cannot drift apart.
 */
export function inTimeline(eb: ExpressionBuilder<Schema, "events">) {
  return eb.and([eb("outlier", "=", false), eb("soft_failed", "=", false), eb("rejected_reason", "is", null)]);
}

function typeCondition(eb: ExpressionBuilder<Schema, "events">, globs: readonly string[]) {
  return eb.or(globs.map((g) => (g.includes("*") ? eb("type", "like", likePattern(g)) : eb("type", "=", g))));
}

/** Timeline reads for /messages, /context and sync: filtered pages and state changes between positions. */
export class TimelineStore {
  constructor(private readonly db: Db) {}

  /** The room's oldest timeline event: where backfilling from other servers would continue. */
  async earliest(roomId: string): Promise<StoredEvent | undefined> {
    const row = await this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("room_id", "=", roomId)
      .where(inTimeline)
      .orderBy("stream_pos", "asc")
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }


  async page(roomId: string, request: PageRequest): Promise<StoredEvent[]> {
    if (request.limit <= 0) return [];
    let query = this.db
      .selectFrom("events")
      .select(COLUMNS)
      .where("room_id", "=", roomId)
      .where(inTimeline);
    if (request.dir === "b") {
      query = query.where("stream_pos", "<=", request.from);
      if (request.to !== undefined) query = query.where("stream_pos", ">", request.to);
    } else {
      query = query.where("stream_pos", ">", request.from);
      if (request.to !== undefined) query = query.where("stream_pos", "<=", request.to);
    }
    const filter = request.filter ?? {};
    if (filter.types) {
      if (filter.types.length === 0) return [];
      const types = filter.types;
      query = query.where((eb) => typeCondition(eb, types));
    }
    if (filter.notTypes && filter.notTypes.length > 0) {
      const notTypes = filter.notTypes;
      query = query.where((eb) => eb.not(typeCondition(eb, notTypes)));
    }
    if (filter.senders) {
      if (filter.senders.length === 0) return [];
      query = query.where("sender", "in", [...filter.senders]);
    }
    if (filter.notSenders && filter.notSenders.length > 0) query = query.where("sender", "not in", [...filter.notSenders]);
    const rows = await query
      .orderBy("stream_pos", request.dir === "b" ? "desc" : "asc")
      .limit(request.limit)
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** The newest state event per (type, state_key) with after < stream_pos < before: what changed in a gap. */
  async stateChangesBetween(roomId: string, after: number, before: number): Promise<StateChange[]> {
    if (before - after <= 1) return [];
    const { rows } = await sql<{ type: string; state_key: string; event_id: string; stream_pos: number }>`
      SELECT DISTINCT ON (type, state_key) type, state_key, event_id, stream_pos
      FROM events
      WHERE room_id = ${roomId} AND state_key IS NOT NULL AND stream_pos > ${after} AND stream_pos < ${before}
      ORDER BY type, state_key, stream_pos DESC`.execute(this.db);
    return rows
      .map((r) => ({ type: r.type, stateKey: r.state_key, eventId: r.event_id, streamPos: Number(r.stream_pos) }))
      .sort((a, b) => a.streamPos - b.streamPos);
  }

  /**
   * The user's latest membership event per room at or before `at`: one row per room (EventsStore's
   * membershipsAt reads every membership event the user ever had, which grows with each profile change).
   */
  async latestMemberships(userId: string, at: number): Promise<Map<string, StoredEvent>> {
    const { rows } = await sql<Row & { room_id: string }>`
      SELECT DISTINCT ON (room_id) room_id, ${sql.join(COLUMNS.map((c) => sql.ref(c)))}
      FROM events
      WHERE type = 'm.room.member' AND state_key = ${userId} AND stream_pos > 0 AND stream_pos <= ${at}
      ORDER BY room_id, stream_pos DESC`.execute(this.db);
    return new Map(rows.map((r) => [r.room_id, fromRow(r)]));
  }

  /** Position of the user's latest join event in the room at or before `atOrBefore`, if they ever joined. */
  async lastJoinPos(roomId: string, userId: string, atOrBefore: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("events")
      .select("stream_pos")
      .where("type", "=", "m.room.member")
      .where("state_key", "=", userId)
      .where("room_id", "=", roomId)
      .where("membership", "=", "join")
      .where("stream_pos", ">", 0)
      .where("stream_pos", "<=", atOrBefore)
      .orderBy("stream_pos", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.stream_pos) : undefined;
  }
}
