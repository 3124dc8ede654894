import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** Joined membership of a user in current state, as SQL over current_state aliased `alias`. */
const joined = (alias: string, user: ReturnType<typeof sql>) =>
  sql`${sql.raw(alias)}.type = 'm.room.member' AND ${sql.raw(alias)}.state_key = ${user} AND ${sql.raw(alias)}.membership = 'join'`;

/**
 * `device_list_changes`: at which position a user's devices or device keys changed. Read for a user's sync and
 * /keys/changes: whose changes they must hear of (users they share a room with, and themselves), and whom they
 * began or stopped sharing a room with in a window of the events stream.
 */
export class DeviceListsStore {
  constructor(private readonly db: Db) {}

  async insert(tx: Tx, position: number, userId: string): Promise<void> {
    await sql`INSERT INTO device_list_changes (stream_pos, user_id) VALUES (${position}, ${userId})`.execute(tx);
  }

  /** Users whose device list changed in (from, to] and who share a joined room with `userId` now, or are them. */
  async changedForUser(userId: string, from: number, to: number): Promise<string[]> {
    if (from >= to) return [];
    const { rows } = await sql<{ user_id: string }>`
      SELECT DISTINCT c.user_id FROM device_list_changes c
      WHERE c.stream_pos > ${from} AND c.stream_pos <= ${to}
        AND (c.user_id = ${userId} OR EXISTS (
          SELECT 1 FROM current_state mine JOIN current_state theirs ON theirs.room_id = mine.room_id
          WHERE ${joined("mine", sql`${userId}`)} AND ${joined("theirs", sql`c.user_id`)}))`.execute(this.db);
    return rows.map((r) => r.user_id);
  }

  /**
   * Members whose membership in one of `roomIds` changed in the events window (from, to]: to join (`joined`) or
   * away from it (`departed`: leave or ban), other than `userId`.
   */
  async membershipChanges(roomIds: readonly string[], userId: string, from: number, to: number): Promise<{ joined: string[]; departed: string[] }> {
    if (roomIds.length === 0 || from >= to) return { joined: [], departed: [] };
    const { rows } = await sql<{ state_key: string; membership: string }>`
      SELECT DISTINCT ON (room_id, state_key) state_key, membership FROM events
      WHERE room_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb)) AND type = 'm.room.member'
        AND stream_pos > ${from} AND stream_pos <= ${to} AND state_key <> ${userId}
        AND outlier = false AND rejected_reason IS NULL
      ORDER BY room_id, state_key, stream_pos DESC`.execute(this.db);
    const joinedUsers = new Set<string>();
    const departed = new Set<string>();
    for (const row of rows) {
      if (row.membership === "join") joinedUsers.add(row.state_key);
      else if (row.membership === "leave" || row.membership === "ban") departed.add(row.state_key);
    }
    return { joined: [...joinedUsers], departed: [...departed] };
  }

  /** All joined members of `roomIds` other than `userId`. */
  async membersOf(roomIds: readonly string[], userId: string): Promise<string[]> {
    if (roomIds.length === 0) return [];
    const { rows } = await sql<{ state_key: string }>`
      SELECT DISTINCT state_key FROM current_state
      WHERE room_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb)) AND type = 'm.room.member'
        AND membership = 'join' AND state_key <> ${userId}`.execute(this.db);
    return rows.map((r) => r.state_key);
  }

  /** Which of `others` share a joined room with `userId` now. */
  async stillSharing(userId: string, others: readonly string[]): Promise<Set<string>> {
    if (others.length === 0) return new Set();
    const { rows } = await sql<{ state_key: string }>`
      SELECT DISTINCT theirs.state_key FROM current_state mine JOIN current_state theirs ON theirs.room_id = mine.room_id
      WHERE ${joined("mine", sql`${userId}`)} AND theirs.type = 'm.room.member' AND theirs.membership = 'join'
        AND theirs.state_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(others)}::jsonb))`.execute(this.db);
    return new Set(rows.map((r) => r.state_key));
  }

  /** The user's own membership changes in the events window (from, to]: the latest per room. */
  async ownMembershipChanges(userId: string, from: number, to: number): Promise<Map<string, string>> {
    if (from >= to) return new Map();
    const { rows } = await sql<{ room_id: string; membership: string }>`
      SELECT DISTINCT ON (room_id) room_id, membership FROM events
      WHERE type = 'm.room.member' AND state_key = ${userId} AND stream_pos > ${from} AND stream_pos <= ${to}
        AND outlier = false AND rejected_reason IS NULL
      ORDER BY room_id, stream_pos DESC`.execute(this.db);
    return new Map(rows.map((r) => [r.room_id, r.membership]));
  }

  /** The rooms a user is joined to, for waking their room-mates. */
  async joinedRooms(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const { rows } = await sql<{ room_id: string }>`
      SELECT DISTINCT room_id FROM current_state WHERE type = 'm.room.member' AND membership = 'join'
        AND state_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))`.execute(this.db);
    return rows.map((r) => r.room_id);
  }
}
