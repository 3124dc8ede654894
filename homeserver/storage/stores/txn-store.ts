import type { Db } from "../database.js";

/** One transaction id of a device, in the scope it was used in (homeserver/rooms/txn-scopes.ts). */
export interface TxnLookup {
  userId: string;
  deviceId: string;
  scope: string;
  txnId: string;
}

/** Client transaction ids: the same device retrying the same txnId on the same endpoint gets the same event, even after a restart. */
export class TxnStore {
  constructor(private readonly db: Db) {}

  /** Looks up many transaction ids in one query; keys are txnKey(user, device, scope, txnId). */
  async findMany(entries: TxnLookup[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (entries.length === 0) return found;
    const rows = await this.db
      .selectFrom("txn_ids")
      .select(["user_id", "device_id", "scope", "txn_id", "event_id"])
      .where((eb) =>
        eb.or(
          entries.map((e) =>
            eb.and([eb("user_id", "=", e.userId), eb("device_id", "=", e.deviceId), eb("scope", "=", e.scope), eb("txn_id", "=", e.txnId)]),
          ),
        ),
      )
      .execute();
    for (const row of rows) found.set(txnKey(row.user_id, row.device_id, row.scope, row.txn_id), row.event_id);
    return found;
  }

  /** A device's newest transaction ids, newest first (at most `limit`). */
  async recentForDevice(userId: string, deviceId: string, limit: number): Promise<Array<{ scope: string; txnId: string; eventId: string }>> {
    const rows = await this.db
      .selectFrom("txn_ids")
      .select(["scope", "txn_id", "event_id"])
      .where("user_id", "=", userId)
      .where("device_id", "=", deviceId)
      .orderBy("created_ts", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ scope: r.scope, txnId: r.txn_id, eventId: r.event_id }));
  }
}

/** The key of one device's transaction id in one scope; U+0000 cannot occur in any part (json-limits.ts). */
export const txnKey = (userId: string, deviceId: string, scope: string, txnId: string) => `${userId}\u0000${deviceId}\u0000${scope}\u0000${txnId}`;
