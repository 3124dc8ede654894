import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** Room id stored for global account data (the column is part of the primary key, so not NULL). */
export const GLOBAL_ROOM = "";

export interface AccountDataChange {
  roomId: string;
  type: string;
  content: string;
  streamPos: number;
}

/**
 * `account_data`: one row per (user, room, type) holding the latest content and the stream position of its
 * last write, so "what changed since position N" is a range scan and each type appears at most once.
 */
export class AccountDataStore {
  constructor(private readonly db: Db) {}

  async put(tx: Tx, entry: { userId: string; roomId: string; type: string; content: string; streamPos: number }): Promise<void> {
    await tx
      .insertInto("account_data")
      .values({ user_id: entry.userId, room_id: entry.roomId, type: entry.type, content: entry.content, stream_pos: entry.streamPos })
      .onConflict((oc) => oc.columns(["user_id", "room_id", "type"]).doUpdateSet({ content: entry.content, stream_pos: entry.streamPos }))
      .execute();
  }

  async get(userId: string, roomId: string, type: string, db: Db | Tx = this.db): Promise<string | undefined> {
    const row = await db
      .selectFrom("account_data")
      .select("content")
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .where("type", "=", type)
      .executeTakeFirst();
    return row?.content;
  }

  /** One global type's content for many users at once (push rules for every member a message notifies). */
  async getForUsers(userIds: readonly string[], type: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (userIds.length === 0) return found;
    const { rows } = await sql<{ user_id: string; content: string }>`
      SELECT user_id, content FROM account_data
      WHERE room_id = ${GLOBAL_ROOM} AND type = ${type} AND user_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))`.execute(this.db);
    for (const row of rows) found.set(row.user_id, row.content);
    return found;
  }

  /** Rows written after `fromPos` up to and including `toPos`, oldest first. */
  async changesSince(userId: string, fromPos: number, toPos: number): Promise<AccountDataChange[]> {
    const rows = await this.db
      .selectFrom("account_data")
      .select(["room_id", "type", "content", "stream_pos"])
      .where("user_id", "=", userId)
      .where("stream_pos", ">", fromPos)
      .where("stream_pos", "<=", toPos)
      .orderBy("stream_pos")
      .execute();
    return rows.map((r) => ({ roomId: r.room_id, type: r.type, content: r.content, streamPos: Number(r.stream_pos) }));
  }

  /**
   * Serialises read-modify-write updates of one user's account data (room tags) until the transaction
   * ends. An advisory lock also covers rows that do not exist yet, which SELECT ... FOR UPDATE cannot.
   */
  async lockUser(tx: Tx, userId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`account_data:${userId}`}))`.execute(tx);
  }

  async deleteAll(tx: Tx, userId: string): Promise<void> {
    await tx.deleteFrom("account_data").where("user_id", "=", userId).execute();
  }
}
