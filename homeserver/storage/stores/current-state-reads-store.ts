import { sql } from "kysely";
import type { Db } from "../database.js";

export interface CurrentMembership {
  membership: string;
  eventId: string;
  streamPos: number;
}

export interface MemberRow {
  userId: string;
  membership: string;
  eventId: string;
}

/**
 * Targeted reads of `current_state` (one member, one state entry, counts) so that the read endpoints never
 * load a large room's whole state to answer a small question.
 */
export class CurrentStateReadsStore {
  constructor(private readonly db: Db) {}

  async membership(roomId: string, userId: string): Promise<CurrentMembership | undefined> {
    const row = await this.db
      .selectFrom("current_state")
      .select(["membership", "event_id", "stream_pos"])
      .where("room_id", "=", roomId)
      .where("type", "=", "m.room.member")
      .where("state_key", "=", userId)
      .executeTakeFirst();
    return row ? { membership: row.membership ?? "leave", eventId: row.event_id, streamPos: Number(row.stream_pos) } : undefined;
  }

  async eventId(roomId: string, type: string, stateKey: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("current_state")
      .select("event_id")
      .where("room_id", "=", roomId)
      .where("type", "=", type)
      .where("state_key", "=", stateKey)
      .executeTakeFirst();
    return row?.event_id;
  }

  async allEventIds(roomId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("current_state").select("event_id").where("room_id", "=", roomId).execute();
    return rows.map((r) => r.event_id);
  }

  async members(roomId: string): Promise<MemberRow[]> {
    const rows = await this.db
      .selectFrom("current_state")
      .select(["state_key", "membership", "event_id"])
      .where("room_id", "=", roomId)
      .where("type", "=", "m.room.member")
      .execute();
    return rows.map((r) => ({ userId: r.state_key, membership: r.membership ?? "leave", eventId: r.event_id }));
  }

  async memberCounts(roomId: string): Promise<{ joined: number; invited: number }> {
    const { rows } = await sql<{ membership: string; n: number }>`
      SELECT membership, count(*) AS n FROM current_state
      WHERE room_id = ${roomId} AND type = 'm.room.member' AND membership IN ('join', 'invite')
      GROUP BY membership`.execute(this.db);
    const count = (m: string) => Number(rows.find((r) => r.membership === m)?.n ?? 0);
    return { joined: count("join"), invited: count("invite") };
  }

  /**
   * The spec's heroes: the first members by stream order who are joined or invited, other than the user;
   * when there are none, those who left or were banned.
   */
  async heroes(roomId: string, userId: string, limit: number): Promise<string[]> {
    const pick = async (memberships: string[]) => {
      const rows = await this.db
        .selectFrom("current_state")
        .select("state_key")
        .where("room_id", "=", roomId)
        .where("type", "=", "m.room.member")
        .where("state_key", "<>", userId)
        .where("membership", "in", memberships)
        .orderBy("stream_pos", "asc")
        .limit(limit)
        .execute();
      return rows.map((r) => r.state_key);
    };
    const present = await pick(["join", "invite"]);
    return present.length > 0 ? present : pick(["leave", "ban"]);
  }

  async joinedRoomIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("current_state")
      .select("room_id")
      .where("type", "=", "m.room.member")
      .where("state_key", "=", userId)
      .where("membership", "=", "join")
      .execute();
    return rows.map((r) => r.room_id);
  }

  async forgottenRooms(userId: string, roomIds: readonly string[]): Promise<Set<string>> {
    if (roomIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("room_forgotten")
      .select("room_id")
      .where("user_id", "=", userId)
      .where("room_id", "in", [...roomIds])
      .execute();
    return new Set(rows.map((r) => r.room_id));
  }
}
