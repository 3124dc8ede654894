import type { Db, Tx } from "../database.js";

/** Client transaction ids: the same device retrying the same txnId gets the same event, even after a restart. */
export class TxnStore {
  constructor(private readonly db: Db) {}

  async find(userId: string, deviceId: string, txnId: string, db: Db | Tx = this.db): Promise<{ eventId: string; roomId: string } | undefined> {
    const row = await db
      .selectFrom("txn_ids")
      .select(["event_id", "room_id"])
      .where("user_id", "=", userId)
      .where("device_id", "=", deviceId)
      .where("txn_id", "=", txnId)
      .executeTakeFirst();
    return row ? { eventId: row.event_id, roomId: row.room_id } : undefined;
  }

  async record(tx: Tx, entry: { userId: string; deviceId: string; txnId: string; eventId: string; roomId: string; ts: number }): Promise<void> {
    await tx
      .insertInto("txn_ids")
      .values({ user_id: entry.userId, device_id: entry.deviceId, txn_id: entry.txnId, event_id: entry.eventId, room_id: entry.roomId, created_ts: entry.ts })
      .execute();
  }
}
