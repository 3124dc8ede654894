import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** The main timeline's thread id in push actions and receipts (the spec's "main"). */
export const MAIN_THREAD = "main";

/**
 * What one event does for the room's local members who have nothing of their own to say about it: default push
 * rules, not mentioned, not ignoring the sender. One row per event that notifies them, instead of one per member.
 */
export interface RoomPushRow {
  streamPos: number;
  roomId: string;
  eventId: string;
  /** MAIN_THREAD, or the thread root's event id. */
  threadId: string;
  /** Never notified by their own event. */
  sender: string;
  highlight: boolean;
  /** The matched rule's actions, as JSON. */
  actions: string;
  ts: number;
}

/**
 * One member's own outcome where it differs from the room row's (mentioned, custom rules, ignoring the sender),
 * or where there is no room row (an invitee's invite). `notify: false` says the room row does not apply to them.
 */
export interface PushActionRow extends Omit<RoomPushRow, "sender"> {
  userId: string;
  notify: boolean;
}

/** A local member joined at `sincePos`: room rows before it are not theirs (they were not in the room). */
export interface MemberSince {
  userId: string;
  roomId: string;
  sincePos: number;
}

/** What push rules decided for one batch, written in the batch's transaction. */
export interface PushOutcomes {
  room: readonly RoomPushRow[];
  own: readonly PushActionRow[];
  joins: readonly MemberSince[];
}

export const NO_PUSH_OUTCOMES: PushOutcomes = { room: [], own: [], joins: [] };

export function hasPushOutcomes(outcomes: PushOutcomes | undefined): outcomes is PushOutcomes {
  return outcomes !== undefined && (outcomes.room.length > 0 || outcomes.own.length > 0 || outcomes.joins.length > 0);
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

/** The room rows as the one JSON parameter the insert (here, or inside the message append) reads them from. */
export function roomPushJson(rows: readonly RoomPushRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({ stream_pos: r.streamPos, room_id: r.roomId, event_id: r.eventId, thread_id: r.threadId, sender: r.sender, highlight: r.highlight, actions: r.actions, ts: r.ts })),
  );
}

/** The members' own rows, likewise. */
export function ownPushJson(rows: readonly PushActionRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({ user_id: r.userId, stream_pos: r.streamPos, room_id: r.roomId, event_id: r.eventId, thread_id: r.threadId, notify: r.notify, highlight: r.highlight, actions: r.actions, ts: r.ts })),
  );
}

/** The INSERTs of both kinds of rows, from their JSON parameters (shared with the message append's one statement). */
export const insertRoomPushSql = (json: string, from = sql``) => sql`
  INSERT INTO event_push_room_actions (stream_pos, room_id, event_id, thread_id, sender, highlight, actions, ts)
  SELECT p.stream_pos, p.room_id, p.event_id, p.thread_id, p.sender, p.highlight, p.actions, p.ts
  FROM ${from} jsonb_to_recordset(${json}::jsonb)
    AS p(stream_pos bigint, room_id text, event_id text, thread_id text, sender text, highlight boolean, actions text, ts bigint)
  ON CONFLICT DO NOTHING`;
export const insertOwnPushSql = (json: string, from = sql``) => sql`
  INSERT INTO event_push_actions (user_id, stream_pos, room_id, event_id, thread_id, notify, highlight, actions, ts)
  SELECT p.user_id, p.stream_pos, p.room_id, p.event_id, p.thread_id, p.notify, p.highlight, p.actions, p.ts
  FROM ${from} jsonb_to_recordset(${json}::jsonb)
    AS p(user_id text, stream_pos bigint, room_id text, event_id text, thread_id text, notify boolean, highlight boolean, actions text, ts bigint)
  ON CONFLICT DO NOTHING`;

/**
 * Who each event notifies (written with the event, in its transaction), counted against the user's read receipts
 * (m.read and m.read.private, whichever is further; threaded receipts per thread). A message into a room of a
 * thousand members writes one room row, plus one row for each member whose outcome differs (Synapse writes a row
 * per member): `event_push_room_actions` holds what the event does for members with nothing of their own,
 * `event_push_actions` those members' own outcomes, and `push_member_since` when each member's current stay in
 * the room began, so that room rows from before they joined are not theirs.
 */
export class PushActionsStore {
  constructor(private readonly db: Db) {}

  async insert(tx: Tx, outcomes: PushOutcomes): Promise<void> {
    if (outcomes.room.length > 0) await insertRoomPushSql(roomPushJson(outcomes.room)).execute(tx);
    if (outcomes.own.length > 0) await insertOwnPushSql(ownPushJson(outcomes.own)).execute(tx);
    if (outcomes.joins.length > 0) {
      const json = JSON.stringify(outcomes.joins.map((j) => ({ user_id: j.userId, room_id: j.roomId, since_pos: j.sincePos })));
      await sql`INSERT INTO push_member_since (user_id, room_id, since_pos)
        SELECT j.user_id, j.room_id, j.since_pos FROM jsonb_to_recordset(${json}::jsonb) AS j(user_id text, room_id text, since_pos bigint)
        ON CONFLICT (user_id, room_id) DO UPDATE SET since_pos = GREATEST(push_member_since.since_pos, EXCLUDED.since_pos)`.execute(tx);
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
      ),
      members AS (
        SELECT u.user_id, r.room_id, COALESCE(ms.since_pos, 0) AS since_pos
        FROM wanted_users u CROSS JOIN wanted_rooms r
        LEFT JOIN push_member_since ms ON ms.user_id = u.user_id AND ms.room_id = r.room_id
      ),
      notified AS (
        SELECT m.user_id, o.room_id, o.thread_id, o.stream_pos, o.highlight
        FROM members m JOIN event_push_room_actions o ON o.room_id = m.room_id AND o.stream_pos > m.since_pos
        WHERE o.stream_pos <= ${upTo} AND o.sender <> m.user_id
          AND NOT EXISTS (SELECT 1 FROM event_push_actions x WHERE x.user_id = m.user_id AND x.stream_pos = o.stream_pos)
        UNION ALL
        SELECT a.user_id, a.room_id, a.thread_id, a.stream_pos, a.highlight
        FROM event_push_actions a
        WHERE a.user_id IN (SELECT user_id FROM wanted_users) AND a.room_id IN (SELECT room_id FROM wanted_rooms)
          AND a.notify AND a.stream_pos <= ${upTo}
      )
      SELECT n.user_id, n.room_id, n.thread_id, count(*)::int AS notifications, (count(*) FILTER (WHERE n.highlight))::int AS highlights
      FROM notified n
      LEFT JOIN read_up_to un ON un.user_id = n.user_id AND un.room_id = n.room_id AND un.thread_id = ''
      LEFT JOIN read_up_to th ON th.user_id = n.user_id AND th.room_id = n.room_id AND th.thread_id = n.thread_id
      WHERE n.stream_pos > GREATEST(COALESCE(un.pos, 0), COALESCE(th.pos, 0))
      GROUP BY n.user_id, n.room_id, n.thread_id`.execute(this.db);
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
      stream_pos: number;
      room_id: string;
      event_id: string;
      thread_id: string;
      highlight: boolean;
      actions: string;
      ts: number;
      read_pos: number | null;
    }>`
      WITH mine AS (
        SELECT o.stream_pos, o.room_id, o.event_id, o.thread_id, o.highlight, o.actions, o.ts
        FROM event_push_room_actions o
        JOIN current_state cs ON cs.room_id = o.room_id AND cs.type = 'm.room.member' AND cs.state_key = ${userId} AND cs.membership = 'join'
        LEFT JOIN push_member_since ms ON ms.user_id = ${userId} AND ms.room_id = o.room_id
        WHERE o.stream_pos > COALESCE(ms.since_pos, 0) AND o.sender <> ${userId} AND o.stream_pos < ${before}
          ${options.onlyHighlight ? sql`AND o.highlight` : sql``}
          AND NOT EXISTS (SELECT 1 FROM event_push_actions x WHERE x.user_id = ${userId} AND x.stream_pos = o.stream_pos)
        UNION ALL
        SELECT a.stream_pos, a.room_id, a.event_id, a.thread_id, a.highlight, a.actions, a.ts
        FROM event_push_actions a
        WHERE a.user_id = ${userId} AND a.notify AND a.stream_pos < ${before} ${options.onlyHighlight ? sql`AND a.highlight` : sql``}
      )
      SELECT n.*, (
        SELECT max(e.stream_pos) FROM receipts rc JOIN events e ON e.event_id = rc.event_id
        WHERE rc.user_id = ${userId} AND rc.room_id = n.room_id AND rc.receipt_type IN ('m.read', 'm.read.private')
          AND rc.thread_id IN ('', n.thread_id)
      ) AS read_pos
      FROM mine n
      ORDER BY n.stream_pos DESC
      LIMIT ${options.limit}`.execute(this.db);
    return rows.map((r) => ({
      userId,
      notify: true,
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
    const ids = JSON.stringify(eventIds);
    await sql`DELETE FROM event_push_actions WHERE event_id IN (SELECT jsonb_array_elements_text(${ids}::jsonb))`.execute(tx);
    await sql`DELETE FROM event_push_room_actions WHERE event_id IN (SELECT jsonb_array_elements_text(${ids}::jsonb))`.execute(tx);
  }
}
