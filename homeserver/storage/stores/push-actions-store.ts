import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** The main timeline's thread id in push actions and receipts (the spec's "main"). */
export const MAIN_THREAD = "main";

/** One local member notified by one event. */
export interface PushActionRow {
  userId: string;
  streamPos: number;
  roomId: string;
  eventId: string;
  /** MAIN_THREAD, or the thread root's event id. */
  threadId: string;
  highlight: boolean;
  /** The matched rule's actions, as JSON. */
  actions: string;
  ts: number;
}

export interface UnreadCounts {
  notifications: number;
  highlights: number;
}

/** user id -> room id -> thread id -> counts; only threads with something unread. */
export type CountsByUser = Map<string, Map<string, Map<string, UnreadCounts>>>;

export interface NotificationRow extends PushActionRow {
  /** At or before the user's read receipt for its thread (or their unthreaded one). */
  read: boolean;
}

/** Rows per statement: a message into a room of thousands is one JSON parameter per chunk. */
const ROWS_PER_INSERT = 5_000;

/** The rows as the one JSON parameter the insert (here, or inside the message append) reads them from. */
export function pushActionsJson(rows: readonly PushActionRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({ user_id: r.userId, stream_pos: r.streamPos, room_id: r.roomId, event_id: r.eventId, thread_id: r.threadId, highlight: r.highlight, actions: r.actions, ts: r.ts })),
  );
}

/**
 * `event_push_actions`: who each event notifies (written with the event, in its transaction), counted against
 * the user's read receipts (m.read and m.read.private, whichever is further; threaded receipts per thread).
 */
export class PushActionsStore {
  constructor(private readonly db: Db) {}

  async insert(tx: Tx, rows: readonly PushActionRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const json = pushActionsJson(rows.slice(i, i + ROWS_PER_INSERT));
      await sql`INSERT INTO event_push_actions (user_id, stream_pos, room_id, event_id, thread_id, highlight, actions, ts)
        SELECT p.user_id, p.stream_pos, p.room_id, p.event_id, p.thread_id, p.highlight, p.actions, p.ts
        FROM jsonb_to_recordset(${json}::jsonb)
          AS p(user_id text, stream_pos bigint, room_id text, event_id text, thread_id text, highlight boolean, actions text, ts bigint)
        ON CONFLICT DO NOTHING`.execute(tx);
    }
  }

  /** Unread counts of `userIds` in `roomIds` up to stream position `upTo` (what the sync response covers). */
  async counts(userIds: readonly string[], roomIds: readonly string[], upTo: number): Promise<CountsByUser> {
    const byUser: CountsByUser = new Map();
    if (userIds.length === 0 || roomIds.length === 0) return byUser;
    const { rows } = await sql<{ user_id: string; room_id: string; thread_id: string; notifications: number; highlights: number }>`
      WITH wanted_users AS (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb) AS user_id),
      wanted_rooms AS (SELECT jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb) AS room_id),
      read_up_to AS (
        SELECT rc.user_id, rc.room_id, rc.thread_id, max(e.stream_pos) AS pos
        FROM receipts rc JOIN events e ON e.event_id = rc.event_id
        WHERE rc.user_id IN (SELECT user_id FROM wanted_users) AND rc.room_id IN (SELECT room_id FROM wanted_rooms)
          AND rc.receipt_type IN ('m.read', 'm.read.private')
        GROUP BY rc.user_id, rc.room_id, rc.thread_id
      )
      SELECT a.user_id, a.room_id, a.thread_id, count(*)::int AS notifications, (count(*) FILTER (WHERE a.highlight))::int AS highlights
      FROM event_push_actions a
      LEFT JOIN read_up_to un ON un.user_id = a.user_id AND un.room_id = a.room_id AND un.thread_id = ''
      LEFT JOIN read_up_to th ON th.user_id = a.user_id AND th.room_id = a.room_id AND th.thread_id = a.thread_id
      WHERE a.user_id IN (SELECT user_id FROM wanted_users) AND a.room_id IN (SELECT room_id FROM wanted_rooms)
        AND a.stream_pos <= ${upTo} AND a.stream_pos > GREATEST(COALESCE(un.pos, 0), COALESCE(th.pos, 0))
      GROUP BY a.user_id, a.room_id, a.thread_id`.execute(this.db);
    for (const row of rows) {
      let rooms = byUser.get(row.user_id);
      if (!rooms) byUser.set(row.user_id, (rooms = new Map()));
      let threads = rooms.get(row.room_id);
      if (!threads) rooms.set(row.room_id, (threads = new Map()));
      threads.set(row.thread_id, { notifications: Number(row.notifications), highlights: Number(row.highlights) });
    }
    return byUser;
  }

  /** The user's notifications, newest first, before stream position `before` (GET /notifications). */
  async notifications(userId: string, options: { before?: number; limit: number; onlyHighlight: boolean }): Promise<NotificationRow[]> {
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const { rows } = await sql<{
      user_id: string;
      stream_pos: number;
      room_id: string;
      event_id: string;
      thread_id: string;
      highlight: boolean;
      actions: string;
      ts: number;
      read_pos: number | null;
    }>`
      SELECT a.*, (
        SELECT max(e.stream_pos) FROM receipts rc JOIN events e ON e.event_id = rc.event_id
        WHERE rc.user_id = a.user_id AND rc.room_id = a.room_id AND rc.receipt_type IN ('m.read', 'm.read.private')
          AND rc.thread_id IN ('', a.thread_id)
      ) AS read_pos
      FROM event_push_actions a
      WHERE a.user_id = ${userId} AND a.stream_pos < ${before} ${options.onlyHighlight ? sql`AND a.highlight` : sql``}
      ORDER BY a.stream_pos DESC
      LIMIT ${options.limit}`.execute(this.db);
    return rows.map((r) => ({
      userId: r.user_id,
      streamPos: Number(r.stream_pos),
      roomId: r.room_id,
      eventId: r.event_id,
      threadId: r.thread_id,
      highlight: r.highlight,
      actions: r.actions,
      ts: Number(r.ts),
      read: r.read_pos !== null && Number(r.stream_pos) <= Number(r.read_pos),
    }));
  }

  /** A redacted event notifies no one any more (as Synapse drops its push actions). */
  async deleteForEvents(tx: Tx, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await sql`DELETE FROM event_push_actions WHERE event_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))`.execute(tx);
  }
}
