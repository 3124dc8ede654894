import { sql, type RawBuilder } from "kysely";
import type { Db } from "../database.js";
import { COLUMNS, fromRow, type Row, type StoredEvent } from "./events-store.js";

/**
 * The event types the search index holds (migration 20261203T1200-event-search), each with its one search key.
 * Queries name the types as literals, never as parameters, so that the planner can prove they fall inside the
 * index's predicate on every plan, prepared or not.
 */
export const SEARCHABLE_TYPES = {
  "m.room.message": "content.body",
  "m.room.name": "content.name",
  "m.room.topic": "content.topic",
} as const;

export type SearchableType = keyof typeof SEARCHABLE_TYPES;

/** Events of one room with stream_pos <= until: all of a joined room, a departed room up to the leave. */
export interface SearchWindow {
  roomId: string;
  until: number;
}

export interface SearchQuery {
  /** The user's words, read by websearch_to_tsquery: "quoted phrases", `or`, `-word`. */
  term: string;
  /** Which of SEARCHABLE_TYPES to search (the requested keys, narrowed by the filter's types). */
  types: readonly SearchableType[];
  windows: readonly SearchWindow[];
  senders?: readonly string[];
  notSenders?: readonly string[];
}

export type SearchOrder = "rank" | "recent";

/** Where the previous page stopped: results after it in the order asked for. */
export interface SearchCursor {
  streamPos: number;
  /** For order "rank": the rank of the row at streamPos, exactly as the database gave it. */
  rank?: number;
}

export interface SearchableRoom {
  roomId: string;
  joined: boolean;
  /** The user's current membership event in the room, and its position. */
  eventId: string;
  streamPos: number;
}

export interface SearchHit {
  event: StoredEvent;
  roomId: string;
  rank: number;
}

const CONFIG = sql.lit("pg_catalog.english");

/** POST /search: full-text matches in the rooms a user may search, and the words to highlight in them. */
export class EventSearchStore {
  constructor(private readonly db: Db) {}

  /**
   * Up to `limit` matches after `cursor`: by rank (best first, newest first among equals) or newest first.
   * Never redacted, outlier, soft-failed or rejected events.
   */
  async search(query: SearchQuery, order: SearchOrder, limit: number, cursor?: SearchCursor): Promise<SearchHit[]> {
    if (limit <= 0 || !searches(query)) return [];
    let after = sql``;
    if (cursor && order === "recent") after = sql`AND m.stream_pos < ${cursor.streamPos}`;
    if (cursor && order === "rank") {
      // `real` on both sides: the rank came back from a float4 and is compared as one.
      after = sql`AND (m.rank < ${cursor.rank ?? 0}::real OR (m.rank = ${cursor.rank ?? 0}::real AND m.stream_pos < ${cursor.streamPos}))`;
    }
    const orderBy = order === "rank" ? sql`m.rank DESC, m.stream_pos DESC` : sql`m.stream_pos DESC`;
    const columns = sql.join(COLUMNS.map((c) => sql.ref(`e.${c}`)));
    const { rows } = await sql<Row & { room_id: string; rank: number }>`
      SELECT * FROM (
        SELECT ${columns}, e.room_id,
          ts_rank_cd(event_search_vector(e.type, e.json), websearch_to_tsquery(${CONFIG}, ${query.term})) AS rank
        ${matching(query)}
      ) m
      WHERE true ${after}
      ORDER BY ${orderBy}
      LIMIT ${limit}`.execute(this.db);
    return rows.map((row) => ({ event: fromRow(row), roomId: row.room_id, rank: Number(row.rank) }));
  }

  /** How many events match in all (before history visibility): the response's approximate count. */
  async count(query: SearchQuery): Promise<number> {
    if (!searches(query)) return 0;
    const { rows } = await sql<{ count: number }>`SELECT count(*)::int AS count ${matching(query)}`.execute(this.db);
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * The rooms a user may search: joined now, or left or banned from and not forgotten, with the position
   * of their current membership event (the join, or the leave that ends what they may read).
   */
  async searchableRooms(userId: string): Promise<SearchableRoom[]> {
    const rows = await this.db
      .selectFrom("current_state")
      .select(["room_id", "membership", "event_id", "stream_pos"])
      .where("type", "=", "m.room.member")
      .where("state_key", "=", userId)
      .where("membership", "in", ["join", "leave", "ban"])
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("room_forgotten").select("room_id").where("user_id", "=", userId).whereRef("room_forgotten.room_id", "=", "current_state.room_id"))),
      )
      .execute();
    return rows.map((r) => ({ roomId: r.room_id, joined: r.membership === "join", eventId: r.event_id, streamPos: Number(r.stream_pos) }));
  }

  /**
   * The words of `texts` that the search term matched, as written there (stemming makes "foxes" match
   * "fox"), lower-cased: what clients highlight.
   */
  async highlights(term: string, texts: readonly string[]): Promise<string[]> {
    if (texts.length === 0) return [];
    const [start, stop] = markersNotIn(texts);
    if (start === undefined || stop === undefined) return [];
    const options = `StartSel=${start}, StopSel=${stop}, HighlightAll=true`;
    const { rows } = await sql<{ headline: string }>`
      SELECT ts_headline(${CONFIG}, t.text, websearch_to_tsquery(${CONFIG}, ${term}), ${options}) AS headline
      FROM unnest(${[...texts]}::text[]) AS t(text)`.execute(this.db);
    const words = new Set<string>();
    const marked = new RegExp(`${start}([^${stop}]*)${stop}`, "g");
    for (const { headline } of rows) for (const match of headline.matchAll(marked)) if (match[1]) words.add(match[1].toLowerCase());
    return [...words];
  }
}

function searches(query: SearchQuery): boolean {
  return query.types.length > 0 && query.windows.length > 0 && (query.senders === undefined || query.senders.length > 0);
}

/** FROM and WHERE of a search: the windows joined to the index's matches. */
function matching(query: SearchQuery): RawBuilder<unknown> {
  const rooms = query.windows.map((w) => w.roomId);
  const untils = query.windows.map((w) => w.until);
  const types = sql.join(query.types.map((t) => sql.lit(t)));
  const senders = query.senders ? sql`AND e.sender = ANY(${[...query.senders]}::text[])` : sql``;
  const notSenders = query.notSenders?.length ? sql`AND e.sender <> ALL(${[...query.notSenders]}::text[])` : sql``;
  return sql`
    FROM unnest(${rooms}::text[], ${untils}::bigint[]) AS w(room_id, until)
    JOIN events e ON e.room_id = w.room_id AND e.stream_pos <= w.until
    WHERE e.type IN (${types})
      AND event_search_vector(e.type, e.json) @@ websearch_to_tsquery(${CONFIG}, ${query.term})
      AND e.redacted_by IS NULL AND e.outlier = false AND e.soft_failed = false AND e.rejected_reason IS NULL
      ${senders} ${notSenders}`;
}

/**
 * Two control characters that occur in none of the texts, to mark matches in ts_headline's output (PGlite's
 * ts_headline drops markers outside ASCII, so private-use characters will not do).
 */
function markersNotIn(texts: readonly string[]): [string | undefined, string | undefined] {
  const free: string[] = [];
  for (let code = 1; code < 32 && free.length < 2; code++) {
    const char = String.fromCharCode(code);
    if ((code < 9 || code > 13) && !texts.some((t) => t.includes(char))) free.push(char);
  }
  return [free[0], free[1]];
}
