import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** A pusher as POST /pushers/set made it, with its delivery loop's durable state. */
export interface PusherRow {
  id: number;
  userId: string;
  /** The device whose access token made it: the pusher goes with the device. */
  deviceId: string;
  kind: string;
  appId: string;
  pushkey: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag: string | null;
  lang: string;
  /** The client's `data` object, url included. */
  data: Record<string, unknown>;
  /** Milliseconds, when the pushkey was last set. */
  pushkeyTs: number;
  /** The events-stream position up to which notifications were sent or given up on. */
  lastStreamPos: number;
  failingSince: number | null;
}

export type NewPusher = Omit<PusherRow, "id" | "failingSince">;

/** A notification the pusher's user has not read yet, from the stored push actions (never re-evaluated). */
export interface PendingNotification {
  streamPos: number;
  roomId: string;
  eventId: string;
  highlight: boolean;
  /** The matched rule's actions, as JSON. */
  actions: string;
}

interface PusherDbRow {
  id: number | string;
  user_id: string;
  device_id: string;
  kind: string;
  app_id: string;
  pushkey: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag: string | null;
  lang: string;
  data: string;
  pushkey_ts: number | string;
  last_stream_pos: number | string;
  failing_since: number | string | null;
}

const toPusher = (r: PusherDbRow): PusherRow => ({
  id: Number(r.id),
  userId: r.user_id,
  deviceId: r.device_id,
  kind: r.kind,
  appId: r.app_id,
  pushkey: r.pushkey,
  appDisplayName: r.app_display_name,
  deviceDisplayName: r.device_display_name,
  profileTag: r.profile_tag,
  lang: r.lang,
  data: JSON.parse(r.data) as Record<string, unknown>,
  pushkeyTs: Number(r.pushkey_ts),
  lastStreamPos: Number(r.last_stream_pos),
  failingSince: r.failing_since === null ? null : Number(r.failing_since),
});

/**
 * Pushers and their loops' cursors. A pusher row is deleted with its device (foreign key, see the migration);
 * every cursor and failure write names the row by id and reports whether it still exists, so a loop learns
 * that its pusher went away at its next step.
 */
export class PushersStore {
  constructor(private readonly db: Db) {}

  async forUser(userId: string): Promise<PusherRow[]> {
    const { rows } = await sql<PusherDbRow>`SELECT * FROM pushers WHERE user_id = ${userId} ORDER BY id`.execute(this.db);
    return rows.map(toPusher);
  }

  async byId(id: number): Promise<PusherRow | undefined> {
    const { rows } = await sql<PusherDbRow>`SELECT * FROM pushers WHERE id = ${id}`.execute(this.db);
    return rows[0] && toPusher(rows[0]);
  }

  /** Every pusher's id and user (a process starting resumes each from its cursor). */
  async allIds(): Promise<Array<{ id: number; userId: string }>> {
    const { rows } = await sql<{ id: number | string; user_id: string }>`SELECT id, user_id FROM pushers ORDER BY id`.execute(this.db);
    return rows.map((r) => ({ id: Number(r.id), userId: r.user_id }));
  }

  /** The pushers of the room's local members who are joined or invited (who a new event there may notify). */
  async ofRoomMembers(roomId: string): Promise<Array<{ id: number; userId: string }>> {
    const { rows } = await sql<{ id: number | string; user_id: string }>`
      SELECT p.id, p.user_id FROM current_state cs JOIN pushers p ON p.user_id = cs.state_key
      WHERE cs.room_id = ${roomId} AND cs.type = 'm.room.member' AND cs.membership IN ('join', 'invite')`.execute(this.db);
    return rows.map((r) => ({ id: Number(r.id), userId: r.user_id }));
  }

  /**
   * Creates the pusher or updates the user's pusher of that (app_id, pushkey). An update keeps the pusher's
   * device (one device may change another's pusher) and its cursor: what was queued is still sent.
   */
  async upsert(tx: Tx, pusher: NewPusher): Promise<void> {
    await sql`
      INSERT INTO pushers (user_id, device_id, kind, app_id, pushkey, app_display_name, device_display_name, profile_tag, lang, data, pushkey_ts, last_stream_pos)
      VALUES (${pusher.userId}, ${pusher.deviceId}, ${pusher.kind}, ${pusher.appId}, ${pusher.pushkey}, ${pusher.appDisplayName}, ${pusher.deviceDisplayName},
        ${pusher.profileTag}, ${pusher.lang}, ${JSON.stringify(pusher.data)}, ${pusher.pushkeyTs}, ${pusher.lastStreamPos})
      ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET
        kind = EXCLUDED.kind, app_display_name = EXCLUDED.app_display_name, device_display_name = EXCLUDED.device_display_name,
        profile_tag = EXCLUDED.profile_tag, lang = EXCLUDED.lang, data = EXCLUDED.data, pushkey_ts = EXCLUDED.pushkey_ts`.execute(tx);
  }

  /** Returns whether there was one. */
  async delete(userId: string, appId: string, pushkey: string, db: Db | Tx = this.db): Promise<boolean> {
    const result = await sql`DELETE FROM pushers WHERE user_id = ${userId} AND app_id = ${appId} AND pushkey = ${pushkey}`.execute(db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** append=false: the same (app_id, pushkey) of every other user goes. */
  async deleteOfOtherUsers(tx: Tx, appId: string, pushkey: string, userId: string): Promise<void> {
    await sql`DELETE FROM pushers WHERE app_id = ${appId} AND pushkey = ${pushkey} AND user_id <> ${userId}`.execute(tx);
  }

  /** The gateway rejected the pushkey: the pusher goes, as the Push Gateway API says. */
  async deleteById(id: number): Promise<void> {
    await sql`DELETE FROM pushers WHERE id = ${id}`.execute(this.db);
  }

  /**
   * Claims the pusher for `owner` until `until`, unless another process holds an unexpired claim. Returns the
   * row when this process may send for it.
   */
  async claim(id: number, owner: string, now: number, until: number): Promise<PusherRow | undefined> {
    return (await this.claimMany([id], owner, now, until)).get(id);
  }

  /** claim() for several pushers in one statement: the ones claimed, by id (the others are gone or held). */
  async claimMany(ids: readonly number[], owner: string, now: number, until: number): Promise<Map<number, PusherRow>> {
    const claimed = new Map<number, PusherRow>();
    if (ids.length === 0) return claimed;
    const { rows } = await sql<PusherDbRow>`
      UPDATE pushers SET claimed_by = ${owner}, claimed_until = ${until}
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)
        AND (claimed_by IS NULL OR claimed_by = ${owner} OR claimed_until < ${now})
      RETURNING *`.execute(this.db);
    for (const row of rows) claimed.set(Number(row.id), toPusher(row));
    return claimed;
  }

  /** A process stopping: its claims end now, so another process may take its pushers over at once. */
  async releaseAll(owner: string): Promise<void> {
    await sql`UPDATE pushers SET claimed_by = NULL, claimed_until = 0 WHERE claimed_by = ${owner}`.execute(this.db);
  }

  /**
   * Moves the cursor past `pos` (sent, or given up on) and clears the failure; `successTs` when the gateway took
   * it. Returns false when the pusher no longer exists (or another process has taken it over).
   */
  async advance(id: number, owner: string, pos: number, successTs: number | null): Promise<boolean> {
    return (await this.advanceMany([{ id, pos, successTs }], owner)).has(id);
  }

  /** advance() for several pushers in one statement (one entry per pusher): the ids whose row was moved. */
  async advanceMany(moves: ReadonlyArray<{ id: number; pos: number; successTs: number | null }>, owner: string): Promise<Set<number>> {
    if (moves.length === 0) return new Set();
    const json = JSON.stringify(moves.map((m) => ({ id: m.id, pos: m.pos, ts: m.successTs })));
    const { rows } = await sql<{ id: number | string }>`
      UPDATE pushers p SET last_stream_pos = GREATEST(p.last_stream_pos, m.pos), failing_since = NULL,
        last_success_ts = COALESCE(m.ts, p.last_success_ts)
      FROM jsonb_to_recordset(${json}::jsonb) AS m(id bigint, pos bigint, ts bigint)
      WHERE p.id = m.id AND p.claimed_by = ${owner}
      RETURNING p.id`.execute(this.db);
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** The gateway failed: keeps the first failure's time. Returns false when the pusher is gone. */
  async markFailing(id: number, owner: string, since: number): Promise<boolean> {
    const result = await sql`
      UPDATE pushers SET failing_since = COALESCE(failing_since, ${since}) WHERE id = ${id} AND claimed_by = ${owner}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * The user's notifications after `after` up to `upTo`, oldest first, that are still unread: the rows the push
   * evaluator stored, derived per user as GET /notifications derives them (the room's shared row unless the
   * user's own row overrides it, from the start of their stay in the room, never their own events, redacted
   * ones left out), less those at or before the user's read receipt in the room or thread.
   */
  async pending(userId: string, after: number, upTo: number, limit: number): Promise<PendingNotification[]> {
    return (await this.pendingMany([{ userId, after }], upTo, limit))[0];
  }

  /** pending() for several (user, cursor) pairs in one statement: one list per pair, in the pairs' order. */
  async pendingMany(cursors: ReadonlyArray<{ userId: string; after: number }>, upTo: number, limit: number): Promise<PendingNotification[][]> {
    const lists: PendingNotification[][] = cursors.map(() => []);
    if (cursors.length === 0) return lists;
    const json = JSON.stringify(cursors.map((c, idx) => ({ idx, user_id: c.userId, after: c.after })));
    const { rows } = await sql<{ idx: number; stream_pos: number | string; room_id: string; event_id: string; highlight: boolean; actions: string }>`
      SELECT q.idx, n.stream_pos, n.room_id, n.event_id, n.highlight, n.actions
      FROM jsonb_to_recordset(${json}::jsonb) AS q(idx int, user_id text, after bigint)
      CROSS JOIN LATERAL (
        SELECT m.stream_pos, m.room_id, m.event_id, m.highlight, m.actions FROM (
          SELECT o.stream_pos, o.room_id, o.event_id, o.thread_id, o.highlight, o.actions
          FROM current_state cs
          JOIN event_push_room_actions o ON o.room_id = cs.room_id
          LEFT JOIN push_member_since ms ON ms.user_id = q.user_id AND ms.room_id = o.room_id
          WHERE cs.type = 'm.room.member' AND cs.state_key = q.user_id AND cs.membership = 'join'
            AND o.stream_pos > q.after AND o.stream_pos <= ${upTo} AND o.stream_pos > COALESCE(ms.since_pos, 0)
            AND o.sender <> q.user_id AND NOT o.redacted
            AND NOT EXISTS (SELECT 1 FROM event_push_actions x WHERE x.user_id = q.user_id AND x.stream_pos = o.stream_pos)
          UNION ALL
          SELECT a.stream_pos, a.room_id, a.event_id, a.thread_id, a.highlight, a.actions
          FROM event_push_actions a
          WHERE a.user_id = q.user_id AND a.notify AND a.stream_pos > q.after AND a.stream_pos <= ${upTo}
        ) m
        WHERE m.stream_pos > COALESCE(GREATEST((
          SELECT max(e.stream_pos) FROM receipts rc JOIN events e ON e.event_id = rc.event_id
          WHERE rc.user_id = q.user_id AND rc.room_id = m.room_id AND rc.receipt_type IN ('m.read', 'm.read.private')
            AND rc.thread_id IN ('', m.thread_id)
        ), (
          SELECT k.pos FROM push_read_marks k WHERE k.user_id = q.user_id AND k.room_id = m.room_id AND k.thread_id = m.thread_id
        )), 0)
        ORDER BY m.stream_pos
        LIMIT ${limit}
      ) n
      ORDER BY q.idx, n.stream_pos`.execute(this.db);
    for (const r of rows) {
      lists[Number(r.idx)].push({ streamPos: Number(r.stream_pos), roomId: r.room_id, eventId: r.event_id, highlight: r.highlight, actions: r.actions });
    }
    return lists;
  }
}
