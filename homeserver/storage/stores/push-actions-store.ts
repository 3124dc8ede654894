import { sql, type RawBuilder } from "kysely";
import type { Db, Tx } from "../database.js";
import { PREPARED } from "../prepared-statements.js";

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

/**
 * A local user's latest own event in a (room, thread): the spec marks notifications up to an event the user sends
 * as read, as a receipt would (without being one: no receipt is published).
 */
export interface OwnRead {
  userId: string;
  roomId: string;
  threadId: string;
  pos: number;
}

/** What push rules decided for one batch, written in the batch's transaction. */
export interface PushOutcomes {
  room: readonly RoomPushRow[];
  own: readonly PushActionRow[];
  joins: readonly MemberSince[];
  reads: readonly OwnRead[];
}

export const NO_PUSH_OUTCOMES: PushOutcomes = { room: [], own: [], joins: [], reads: [] };

export function hasPushOutcomes(outcomes: PushOutcomes | undefined): outcomes is PushOutcomes {
  return outcomes !== undefined && (outcomes.room.length > 0 || outcomes.own.length > 0 || outcomes.joins.length > 0 || outcomes.reads.length > 0);
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

/**
 * The INSERTs of both kinds of rows, from their JSON parameters (shared with the message append's one statement,
 * which passes `from` so that they hang off its sequence update). A room row's counters continue the latest
 * row's of its (room, thread): the room's persist queue writes a room's events in stream order, one batch at a
 * time, so the latest stored row is the one before.
 */
export const insertRoomPushSql = (json: string, from = sql``) => sql`
  INSERT INTO event_push_room_actions (stream_pos, room_id, event_id, thread_id, sender, highlight, actions, ts, n_seq, h_seq)
  SELECT p.stream_pos, p.room_id, p.event_id, p.thread_id, p.sender, p.highlight, p.actions, p.ts,
    COALESCE(last.n_seq, 0) + p.n_in, COALESCE(last.h_seq, 0) + p.h_in
  FROM (
    SELECT r.*, count(*) OVER room_thread AS n_in, count(*) FILTER (WHERE r.highlight) OVER room_thread AS h_in
    FROM ${from} jsonb_to_recordset(${json}::jsonb)
      AS r(stream_pos bigint, room_id text, event_id text, thread_id text, sender text, highlight boolean, actions text, ts bigint)
    WINDOW room_thread AS (PARTITION BY r.room_id, r.thread_id ORDER BY r.stream_pos)
  ) p
  LEFT JOIN LATERAL (
    SELECT o.n_seq, o.h_seq FROM event_push_room_actions o
    WHERE o.room_id = p.room_id AND o.thread_id = p.thread_id ORDER BY o.thread_id DESC, o.stream_pos DESC LIMIT 1
  ) last ON true
  ON CONFLICT DO NOTHING`;
/** The room's threads with rows, and the latest row's position in each (which threads a count looks at). */
export const recordPushThreadsSql = (json: string, from = sql``) => sql`
  INSERT INTO push_room_threads (room_id, thread_id, last_pos)
  SELECT r.room_id, r.thread_id, max(r.stream_pos)
  FROM ${from} jsonb_to_recordset(${json}::jsonb) AS r(stream_pos bigint, room_id text, thread_id text)
  GROUP BY r.room_id, r.thread_id
  ON CONFLICT (room_id, thread_id) DO UPDATE SET last_pos = GREATEST(push_room_threads.last_pos, EXCLUDED.last_pos)`;
/** The senders' read marks (OwnRead); `json` holds one entry per (user, room, thread). */
export const recordOwnReadsSql = (json: string, from = sql``) => sql`
  INSERT INTO push_read_marks (user_id, room_id, thread_id, pos)
  SELECT r.user_id, r.room_id, r.thread_id, r.pos
  FROM ${from} jsonb_to_recordset(${json}::jsonb) AS r(user_id text, room_id text, thread_id text, pos bigint)
  ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET pos = GREATEST(push_read_marks.pos, EXCLUDED.pos)`;
export const ownReadsJson = (reads: readonly OwnRead[]) =>
  JSON.stringify(reads.map((r) => ({ user_id: r.userId, room_id: r.roomId, thread_id: r.threadId, pos: r.pos })));
export const insertOwnPushSql = (json: string, from = sql``) => sql`
  INSERT INTO event_push_actions (user_id, stream_pos, room_id, event_id, thread_id, notify, highlight, actions, ts)
  SELECT p.user_id, p.stream_pos, p.room_id, p.event_id, p.thread_id, p.notify, p.highlight, p.actions, p.ts
  FROM ${from} jsonb_to_recordset(${json}::jsonb)
    AS p(user_id text, stream_pos bigint, room_id text, event_id text, thread_id text, notify boolean, highlight boolean, actions text, ts bigint)
  ON CONFLICT DO NOTHING`;

/**
 * How far each wanted user has read in each wanted room, per thread ('' for unthreaded receipts): their read
 * receipts (m.read and m.read.private, whichever is further) and their own latest event in each thread.
 */
const readUpToSql = sql`read_up_to AS (
  SELECT p.user_id, p.room_id, p.thread_id, max(p.pos) AS pos FROM (
    SELECT rc.user_id, rc.room_id, rc.thread_id, e.stream_pos AS pos
    FROM receipts rc JOIN events e ON e.event_id = rc.event_id
    WHERE rc.user_id IN (SELECT user_id FROM wanted_users) AND rc.room_id IN (SELECT room_id FROM wanted_rooms)
      AND rc.receipt_type IN ('m.read', 'm.read.private')
    UNION ALL
    SELECT k.user_id, k.room_id, k.thread_id, k.pos FROM push_read_marks k
    WHERE k.user_id IN (SELECT user_id FROM wanted_users) AND k.room_id IN (SELECT room_id FROM wanted_rooms)
  ) p
  GROUP BY p.user_id, p.room_id, p.thread_id
),`;

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
    if (outcomes.room.length > 0) {
      const json = roomPushJson(outcomes.room);
      await insertRoomPushSql(json).execute(tx);
      await recordPushThreadsSql(json).execute(tx);
    }
    if (outcomes.reads.length > 0) await recordOwnReadsSql(ownReadsJson(outcomes.reads)).execute(tx);
    if (outcomes.own.length > 0) await insertOwnPushSql(ownPushJson(outcomes.own)).execute(tx);
    if (outcomes.joins.length > 0) {
      const json = JSON.stringify(outcomes.joins.map((j) => ({ user_id: j.userId, room_id: j.roomId, since_pos: j.sincePos })));
      await sql`INSERT INTO push_member_since (user_id, room_id, since_pos)
        SELECT j.user_id, j.room_id, j.since_pos FROM jsonb_to_recordset(${json}::jsonb) AS j(user_id text, room_id text, since_pos bigint)
        ON CONFLICT (user_id, room_id) DO UPDATE SET since_pos = GREATEST(push_member_since.since_pos, EXCLUDED.since_pos)`.execute(tx);
    }
  }

  /**
   * Unread counts of `userIds` in `roomIds` up to stream position `upTo` (what the sync response covers). Per
   * member and thread: the room rows' counter at `upTo` less the counter where the member's unread part starts
   * (their join, their unthreaded receipt, their receipt in that thread, their own latest event there), less rows
   * that are redacted or that the member's own row overrides, plus their own notifying rows. Index lookups per
   * member, whatever their backlog: nothing here reads the rows in between. A member's own events are never in
   * their range: it starts at or after the latest of them.
   */

  /**
   * The counts of every local member joined to `roomId` (users ending in `localSuffix`, ":" and the server name),
   * read together: one message wakes them all, and this is one statement where their syncs would make one each.
   * Also returns who was counted (the joined members when it ran).
   */
  async countsOfRoomMembers(roomId: string, localSuffix: string, upTo: number): Promise<{ counts: CountsByUser; members: ReadonlySet<string> }> {
    const { rows } = await sql<{ user_id: string }>`
      SELECT state_key AS user_id FROM current_state
      WHERE room_id = ${roomId} AND type = 'm.room.member' AND membership = 'join' AND right(state_key, ${localSuffix.length}) = ${localSuffix}`.execute(this.db);
    const members = new Set(rows.map((r) => r.user_id));
    const counts = members.size === 0 ? new Map() : await this.counts([...members], [roomId], upTo);
    return { counts, members };
  }

  /** The counts of each of `userIds` in each of `roomIds`. */
  async counts(userIds: readonly string[], roomIds: readonly string[], upTo: number): Promise<CountsByUser> {
    if (userIds.length === 0 || roomIds.length === 0) return new Map();
    return this.countsOf(
      sql`wanted_users AS (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb) AS user_id),
      wanted_rooms AS (SELECT jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb) AS room_id),
      wanted_pairs AS (SELECT u.user_id, r.room_id FROM wanted_users u CROSS JOIN wanted_rooms r),`,
      upTo,
    );
  }

  /**
   * The counts of each user in the rooms paired with them: several users' badges, each over their own rooms,
   * in one statement (counts() of their union would count every user in every room).
   */
  async countsOfPairs(pairs: ReadonlyArray<{ userId: string; roomId: string }>, upTo: number): Promise<CountsByUser> {
    if (pairs.length === 0) return new Map();
    const json = JSON.stringify(pairs.map((p) => ({ user_id: p.userId, room_id: p.roomId })));
    return this.countsOf(
      sql`wanted_pairs AS (SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS p(user_id text, room_id text)),
      wanted_users AS (SELECT DISTINCT user_id FROM wanted_pairs),
      wanted_rooms AS (SELECT DISTINCT room_id FROM wanted_pairs),`,
      upTo,
    );
  }

  /**
   * Each user's missed calls over the rooms paired with them (the pushers' counts.missed_calls): the call
   * invites of others after the user's read position in the room's main timeline (an unthreaded or main-thread
   * receipt, their own later event, such as answering) and after they joined, not redacted, that notified them
   * (their own row says so, else the room's row). Users with none have no entry.
   */
  async missedCallsOfPairs(pairs: ReadonlyArray<{ userId: string; roomId: string }>, upTo: number): Promise<Map<string, number>> {
    if (pairs.length === 0) return new Map();
    const json = JSON.stringify(pairs.map((p) => ({ user_id: p.userId, room_id: p.roomId })));
    const { rows } = await sql<{ user_id: string; n: number }>`
      WITH wanted_pairs AS (SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS p(user_id text, room_id text)),
      wanted_users AS (SELECT DISTINCT user_id FROM wanted_pairs),
      wanted_rooms AS (SELECT DISTINCT room_id FROM wanted_pairs),
      ${readUpToSql}
      members AS (
        SELECT w.user_id, w.room_id, GREATEST(COALESCE(ms.since_pos, 0), COALESCE(un.pos, 0), COALESCE(th.pos, 0)) AS from_pos
        FROM wanted_pairs w
        LEFT JOIN push_member_since ms ON ms.user_id = w.user_id AND ms.room_id = w.room_id
        LEFT JOIN read_up_to un ON un.user_id = w.user_id AND un.room_id = w.room_id AND un.thread_id = ''
        LEFT JOIN read_up_to th ON th.user_id = w.user_id AND th.room_id = w.room_id AND th.thread_id = ${MAIN_THREAD}
      )
      SELECT m.user_id, count(*)::int AS n
      FROM members m
      JOIN events e ON e.room_id = m.room_id AND e.type = 'm.call.invite' AND e.stream_pos > m.from_pos AND e.stream_pos <= ${upTo}
      WHERE e.sender <> m.user_id AND e.redacted_by IS NULL
        AND COALESCE(
          (SELECT x.notify FROM event_push_actions x WHERE x.user_id = m.user_id AND x.stream_pos = e.stream_pos),
          EXISTS (SELECT 1 FROM event_push_room_actions o WHERE o.event_id = e.event_id AND NOT o.redacted))
      GROUP BY m.user_id`.execute(this.db);
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  /** `wanted` defines wanted_users, wanted_rooms and the (user, room) wanted_pairs among them. */
  private async countsOf(wanted: RawBuilder<unknown>, upTo: number): Promise<CountsByUser> {
    const byUser: CountsByUser = new Map();
    const { rows } = await sql<{ user_id: string; room_id: string; thread_id: string; notifications: number; highlights: number }>`${sql.raw(PREPARED)}
      WITH ${wanted}
      ${readUpToSql}
      members AS (
        SELECT w.user_id, w.room_id, COALESCE(ms.since_pos, 0) AS since_pos, COALESCE(un.pos, 0) AS read_pos
        FROM wanted_pairs w
        LEFT JOIN push_member_since ms ON ms.user_id = w.user_id AND ms.room_id = w.room_id
        LEFT JOIN read_up_to un ON un.user_id = w.user_id AND un.room_id = w.room_id AND un.thread_id = ''
      ),
      member_threads AS (
        SELECT m.user_id, m.room_id, t.thread_id, GREATEST(m.since_pos, m.read_pos, COALESCE(th.pos, 0)) AS from_pos
        FROM members m
        JOIN push_room_threads t ON t.room_id = m.room_id AND t.last_pos > GREATEST(m.since_pos, m.read_pos)
        LEFT JOIN read_up_to th ON th.user_id = m.user_id AND th.room_id = m.room_id AND th.thread_id = t.thread_id
        WHERE GREATEST(m.since_pos, m.read_pos, COALESCE(th.pos, 0)) < ${upTo}
      ),
      thread_tops AS (
        SELECT t.room_id, t.thread_id, top.n_seq, top.h_seq
        FROM (SELECT DISTINCT room_id, thread_id FROM member_threads) t
        JOIN LATERAL (
          SELECT o.n_seq, o.h_seq FROM event_push_room_actions o
          WHERE o.room_id = t.room_id AND o.thread_id = t.thread_id AND o.stream_pos <= ${upTo}
          ORDER BY o.thread_id DESC, o.stream_pos DESC LIMIT 1
        ) top ON true
      ),
      room_counted AS (
        SELECT mt.user_id, mt.room_id, mt.thread_id,
          tt.n_seq - COALESCE(low.n_seq, 0) - COALESCE(skipped.n, 0) AS notifications,
          tt.h_seq - COALESCE(low.h_seq, 0) - COALESCE(skipped.h, 0) AS highlights
        FROM member_threads mt
        JOIN thread_tops tt ON tt.room_id = mt.room_id AND tt.thread_id = mt.thread_id
        LEFT JOIN LATERAL (
          SELECT o.n_seq, o.h_seq FROM event_push_room_actions o
          WHERE o.room_id = mt.room_id AND o.thread_id = mt.thread_id AND o.stream_pos <= mt.from_pos
          ORDER BY o.thread_id DESC, o.stream_pos DESC LIMIT 1
        ) low ON true
        LEFT JOIN LATERAL (
          -- Rows in range that count for others but not for this member: redacted ones, and ones a row of their
          -- own overrides (disjoint: a redaction deletes the own rows).
          SELECT count(*) AS n, count(*) FILTER (WHERE s.highlight) AS h FROM (
            SELECT o.highlight FROM event_push_room_actions o
            WHERE o.redacted AND o.room_id = mt.room_id AND o.thread_id = mt.thread_id
              AND o.stream_pos > mt.from_pos AND o.stream_pos <= ${upTo}
            UNION ALL
            SELECT o.highlight FROM event_push_actions x
            JOIN event_push_room_actions o ON o.room_id = x.room_id AND o.thread_id = x.thread_id AND o.stream_pos = x.stream_pos
            WHERE x.user_id = mt.user_id AND x.room_id = mt.room_id AND x.thread_id = mt.thread_id
              AND x.stream_pos > mt.from_pos AND x.stream_pos <= ${upTo} AND NOT o.redacted
          ) s
        ) skipped ON true
      ),
      own_counted AS (
        SELECT a.user_id, a.room_id, a.thread_id, count(*) AS notifications, count(*) FILTER (WHERE a.highlight) AS highlights
        FROM members m
        JOIN event_push_actions a ON a.user_id = m.user_id AND a.room_id = m.room_id AND a.stream_pos > m.read_pos AND a.stream_pos <= ${upTo}
        LEFT JOIN read_up_to th ON th.user_id = a.user_id AND th.room_id = a.room_id AND th.thread_id = a.thread_id
        WHERE a.notify AND a.stream_pos > COALESCE(th.pos, 0)
        GROUP BY a.user_id, a.room_id, a.thread_id
      )
      SELECT c.user_id, c.room_id, c.thread_id, sum(c.notifications)::int AS notifications, sum(c.highlights)::int AS highlights
      FROM (SELECT * FROM room_counted UNION ALL SELECT * FROM own_counted) c
      GROUP BY c.user_id, c.room_id, c.thread_id
      HAVING sum(c.notifications) > 0 OR sum(c.highlights) > 0`.execute(this.db);
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
        WHERE o.stream_pos > COALESCE(ms.since_pos, 0) AND o.sender <> ${userId} AND o.stream_pos < ${before} AND NOT o.redacted
          ${options.onlyHighlight ? sql`AND o.highlight` : sql``}
          AND NOT EXISTS (SELECT 1 FROM event_push_actions x WHERE x.user_id = ${userId} AND x.stream_pos = o.stream_pos)
        UNION ALL
        SELECT a.stream_pos, a.room_id, a.event_id, a.thread_id, a.highlight, a.actions, a.ts
        FROM event_push_actions a
        WHERE a.user_id = ${userId} AND a.notify AND a.stream_pos < ${before} ${options.onlyHighlight ? sql`AND a.highlight` : sql``}
      )
      SELECT n.*, GREATEST((
        SELECT max(e.stream_pos) FROM receipts rc JOIN events e ON e.event_id = rc.event_id
        WHERE rc.user_id = ${userId} AND rc.room_id = n.room_id AND rc.receipt_type IN ('m.read', 'm.read.private')
          AND rc.thread_id IN ('', n.thread_id)
      ), (
        SELECT k.pos FROM push_read_marks k WHERE k.user_id = ${userId} AND k.room_id = n.room_id AND k.thread_id = n.thread_id
      )) AS read_pos
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

  /**
   * A redacted event notifies no one any more (as Synapse drops its push actions). Its room row stays, marked,
   * because the later rows' counters include it.
   */
  async deleteForEvents(tx: Tx, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const ids = JSON.stringify(eventIds);
    await sql`DELETE FROM event_push_actions WHERE event_id IN (SELECT jsonb_array_elements_text(${ids}::jsonb))`.execute(tx);
    await sql`UPDATE event_push_room_actions SET redacted = true WHERE event_id IN (SELECT jsonb_array_elements_text(${ids}::jsonb))`.execute(tx);
  }
}
