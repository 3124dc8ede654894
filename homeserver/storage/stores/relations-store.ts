import { sql, type RawBuilder } from "kysely";
import type { Db } from "../database.js";
import { COLUMNS, fromRow, type Row, type StoredEvent } from "./events-store.js";

/**
 * The partial indexes' predicate (migration 20261203T1100-event-relations), written out literally in every query
 * so that the planner can prove it and use them; a bound parameter in its place would hide it.
 */
const RELATION_PREDICATE = sql.raw(`json LIKE '%"m.relates_to"%'`);
const parentOf = (alias: string) => sql.raw(`event_relation_part(${alias}json, 'event_id')`);
const relTypeOf = (alias: string) => sql.raw(`event_relation_part(${alias}json, 'rel_type')`);
/** A relation counts while its child is a live part of the timeline: not redacted, rejected, soft-failed or an outlier. */
const LIVE_CHILD = (alias: string) =>
  sql.raw(`${alias}redacted_by IS NULL AND ${alias}outlier = false AND ${alias}soft_failed = false AND ${alias}rejected_reason IS NULL`);
const SELECTED = (alias: string) => sql.raw(COLUMNS.map((c) => `${alias}${c}`).join(", "));

const list = (values: readonly string[]): RawBuilder<unknown> => sql.join(values.map((v) => sql`${v}`));

export interface ChildrenPage {
  roomId: string;
  parentId: string;
  relType?: string;
  eventType?: string;
  /** dir "b": stream_pos <= from; dir "f": stream_pos > from (the room tokens' convention, as /messages). */
  from: number;
  dir: "b" | "f";
  /** dir "b": stop above `to` (exclusive); dir "f": up to and including `to`. */
  to?: number;
  limit: number;
  /** Also children of children, this many levels deep in all (1 = direct children only). */
  depth: number;
}

export interface ThreadSummary {
  count: number;
  latest: StoredEvent;
  participated: boolean;
}

export interface ThreadRoot {
  root: StoredEvent;
  /** Position of the thread's newest event: the order of /threads and its pagination key. */
  latestPos: number;
}

/** Reads of event relationships (the spec's m.relates_to) for /relations, /threads and bundled aggregations. */
export class RelationsStore {
  constructor(private readonly db: Db) {}

  /** One page of an event's children (and descendants up to `depth`), each matching relType and eventType if given. */
  async children(page: ChildrenPage): Promise<StoredEvent[]> {
    if (page.limit <= 0) return [];
    const matches = (alias: string) =>
      sql`${page.relType === undefined ? sql`` : sql`AND ${relTypeOf(alias)} = ${page.relType}`}
        ${page.eventType === undefined ? sql`` : sql`AND ${sql.raw(`${alias}type`)} = ${page.eventType}`}`;
    const range =
      page.dir === "b"
        ? sql`stream_pos <= ${page.from} ${page.to === undefined ? sql`` : sql`AND stream_pos > ${page.to}`}`
        : sql`stream_pos > ${page.from} ${page.to === undefined ? sql`` : sql`AND stream_pos <= ${page.to}`}`;
    const order = sql.raw(page.dir === "b" ? "DESC" : "ASC");
    const { rows } = await sql<Row>`
      WITH RECURSIVE related (event_id, depth) AS (
        SELECT event_id, 1 FROM events
        WHERE ${RELATION_PREDICATE} AND ${parentOf("")} = ${page.parentId} AND room_id = ${page.roomId} AND ${LIVE_CHILD("")} ${matches("")}
        UNION
        SELECT c.event_id, r.depth + 1 FROM events c JOIN related r ON ${parentOf("c.")} = r.event_id
        WHERE c.${RELATION_PREDICATE} AND r.depth < ${page.depth} AND c.room_id = ${page.roomId} AND ${LIVE_CHILD("c.")} ${matches("c.")}
      )
      SELECT ${SELECTED("")} FROM events WHERE event_id IN (SELECT event_id FROM related) AND ${range}
      ORDER BY stream_pos ${order} LIMIT ${page.limit}`.execute(this.db);
    return rows.map(fromRow);
  }

  /** Does `sender` already have a live annotation of `parentId` with this event type and key (M_DUPLICATE_ANNOTATION)? */
  async hasAnnotation(roomId: string, parentId: string, sender: string, eventType: string, key: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM events
      WHERE ${RELATION_PREDICATE} AND ${parentOf("")} = ${parentId} AND room_id = ${roomId} AND ${LIVE_CHILD("")}
        AND ${relTypeOf("")} = 'm.annotation' AND sender = ${sender} AND type = ${eventType}
        AND event_relation_part(json, 'key') = ${key}
      LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * m.thread aggregations of `rootIds`: how many live thread events point at each, the newest of them, and
   * whether `userId` sent any. Events of `ignored` senders are left out.
   */
  async threadSummaries(roomId: string, rootIds: readonly string[], userId: string, ignored: readonly string[]): Promise<Map<string, ThreadSummary>> {
    const result = new Map<string, ThreadSummary>();
    if (rootIds.length === 0) return result;
    const notIgnored = ignored.length > 0 ? sql`AND sender NOT IN (${list(ignored)})` : sql``;
    const { rows } = await sql<{ parent: string; count: number; latest_pos: number; participated: boolean }>`
      SELECT ${parentOf("")} AS parent, count(*)::int AS count, max(stream_pos) AS latest_pos, bool_or(sender = ${userId}) AS participated
      FROM events
      WHERE ${RELATION_PREDICATE} AND ${parentOf("")} IN (${list(rootIds)}) AND ${relTypeOf("")} = 'm.thread'
        AND room_id = ${roomId} AND ${LIVE_CHILD("")} ${notIgnored}
      GROUP BY 1`.execute(this.db);
    if (rows.length === 0) return result;
    const latest = await this.byPositions(rows.map((r) => Number(r.latest_pos)));
    for (const row of rows) {
      const event = latest.get(Number(row.latest_pos));
      if (event) result.set(row.parent, { count: Number(row.count), latest: event, participated: row.participated === true });
    }
    return result;
  }

  /**
   * The most recent valid replacement of each of `parentIds` (the spec's m.replace rules: same sender and type,
   * neither a state event, m.new_content present unless encrypted), newest by origin_server_ts then event_id.
   */
  async latestEdits(roomId: string, parentIds: readonly string[]): Promise<Map<string, StoredEvent>> {
    const result = new Map<string, StoredEvent>();
    if (parentIds.length === 0) return result;
    const { rows } = await sql<Row & { parent: string }>`
      SELECT DISTINCT ON (parent) ${SELECTED("c.")}, p.event_id AS parent
      FROM events c JOIN events p ON p.event_id = ${parentOf("c.")}
      WHERE c.${RELATION_PREDICATE} AND ${parentOf("c.")} IN (${list(parentIds)}) AND ${relTypeOf("c.")} = 'm.replace'
        AND c.room_id = ${roomId} AND p.room_id = ${roomId} AND ${LIVE_CHILD("c.")}
        AND c.sender = p.sender AND c.type = p.type AND c.state_key IS NULL AND p.state_key IS NULL
        AND (c.type = 'm.room.encrypted' OR jsonb_typeof(c.json::jsonb -> 'content' -> 'm.new_content') = 'object')
      ORDER BY parent, c.origin_server_ts DESC, c.event_id DESC`.execute(this.db);
    for (const row of rows) result.set(row.parent, fromRow(row));
    return result;
  }

  /** The event ids of live m.reference children of each of `parentIds`, oldest first. */
  async references(roomId: string, parentIds: readonly string[], ignored: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (parentIds.length === 0) return result;
    const notIgnored = ignored.length > 0 ? sql`AND sender NOT IN (${list(ignored)})` : sql``;
    const { rows } = await sql<{ parent: string; event_id: string }>`
      SELECT ${parentOf("")} AS parent, event_id FROM events
      WHERE ${RELATION_PREDICATE} AND ${parentOf("")} IN (${list(parentIds)}) AND ${relTypeOf("")} = 'm.reference'
        AND room_id = ${roomId} AND ${LIVE_CHILD("")} ${notIgnored}
      ORDER BY stream_pos`.execute(this.db);
    for (const row of rows) {
      const ids = result.get(row.parent) ?? [];
      ids.push(row.event_id);
      result.set(row.parent, ids);
    }
    return result;
  }

  /** The rel_types among `relTypes` that live children of each of `parentIds` have: which aggregations to look up. */
  async childRelTypes(roomId: string, parentIds: readonly string[], relTypes: readonly string[]): Promise<Map<string, Set<string>>> {
    const result = new Map<string, Set<string>>();
    if (parentIds.length === 0 || relTypes.length === 0) return result;
    const { rows } = await sql<{ parent: string; rel_type: string }>`
      SELECT DISTINCT ${parentOf("")} AS parent, ${relTypeOf("")} AS rel_type FROM events
      WHERE ${RELATION_PREDICATE} AND ${parentOf("")} IN (${list(parentIds)}) AND ${relTypeOf("")} IN (${list(relTypes)})
        AND room_id = ${roomId} AND ${LIVE_CHILD("")}`.execute(this.db);
    for (const row of rows) {
      const types = result.get(row.parent) ?? new Set<string>();
      types.add(row.rel_type);
      result.set(row.parent, types);
    }
    return result;
  }

  /**
   * Which of `eventIds` have a live child whose rel_type is in `relTypes` and whose sender is in `senders` (an
   * undefined list does not narrow): the RoomEventFilter's related_by_rel_types and related_by_senders.
   */
  async withChildren(roomId: string, eventIds: readonly string[], relTypes?: readonly string[], senders?: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0 || relTypes?.length === 0 || senders?.length === 0) return new Set();
    const { rows } = await sql<{ parent: string }>`
      SELECT DISTINCT ${parentOf("")} AS parent FROM events
      WHERE ${RELATION_PREDICATE} AND ${parentOf("")} IN (${list(eventIds)}) AND room_id = ${roomId} AND ${LIVE_CHILD("")}
        ${relTypes ? sql`AND ${relTypeOf("")} IN (${list(relTypes)})` : sql``}
        ${senders ? sql`AND sender IN (${list(senders)})` : sql``}`.execute(this.db);
    return new Set(rows.map((r) => r.parent));
  }

  /**
   * Thread roots of a room by their newest thread event, newest first, among threads whose newest event is at or
   * before `before`. With `participant`, only threads that user started or sent a thread event to.
   */
  async threadRoots(roomId: string, before: number, limit: number, participant?: string): Promise<ThreadRoot[]> {
    if (limit <= 0) return [];
    const { rows } = await sql<Row & { latest_pos: number }>`
      SELECT ${SELECTED("r.")}, t.latest_pos FROM (
        SELECT ${parentOf("")} AS parent, max(stream_pos) AS latest_pos, bool_or(sender = ${participant ?? ""}) AS mine
        FROM events
        WHERE room_id = ${roomId} AND ${RELATION_PREDICATE} AND ${relTypeOf("")} = 'm.thread' AND ${LIVE_CHILD("")}
        GROUP BY 1
      ) t JOIN events r ON r.event_id = t.parent
      WHERE t.latest_pos <= ${before} AND r.room_id = ${roomId} AND r.outlier = false AND r.soft_failed = false AND r.rejected_reason IS NULL
        ${participant === undefined ? sql`` : sql`AND (t.mine OR r.sender = ${participant})`}
      ORDER BY t.latest_pos DESC LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => ({ root: fromRow(row), latestPos: Number(row.latest_pos) }));
  }

  private async byPositions(positions: readonly number[]): Promise<Map<number, StoredEvent>> {
    const rows = await this.db.selectFrom("events").select(COLUMNS).where("stream_pos", "in", [...positions]).execute();
    return new Map(rows.map((row) => [Number(row.stream_pos), fromRow(row as Row)]));
  }
}
