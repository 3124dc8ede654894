import type { Db } from "../database.js";

/** Client transaction ids: the same device retrying the same txnId gets the same event, even after a restart. */
export class TxnStore {
  constructor(private readonly db: Db) {}

  /** Looks up many (user, device, txnId) triples in one query; keys are `${user}\0${device}\0${txnId}`. */
  async findMany(entries: Array<{ userId: string; deviceId: string; txnId: string }>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (entries.length === 0) return found;
    const rows = await this.db
      .selectFrom("txn_ids")
      .select(["user_id", "device_id", "txn_id", "event_id"])
      .where((eb) =>
        eb.or(entries.map((e) => eb.and([eb("user_id", "=", e.userId), eb("device_id", "=", e.deviceId), eb("txn_id", "=", e.txnId)]))),
      )
      .execute();
    for (const row of rows) found.set(`${row.user_id}\u0000${row.device_id}\u0000${row.txn_id}`, row.event_id);
    return found;
  }

  /** A device's newest transaction ids, newest first (at most `limit`). */
  async recentForDevice(userId: string, deviceId: string, limit: number): Promise<Array<{ txnId: string; eventId: string }>> {
    const rows = await this.db
      .selectFrom("txn_ids")
      .select(["txn_id", "event_id"])
      .where("user_id", "=", userId)
      .where("device_id", "=", deviceId)
      .orderBy("created_ts", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ txnId: r.txn_id, eventId: r.event_id }));
  }
}
