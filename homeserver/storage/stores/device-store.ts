import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

export interface DeviceRecord {
  deviceId: string;
  displayName: string | null;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
}

/** The `devices` table. Tokens for a device live in TokenStore; callers delete both in one transaction. */
export class DeviceStore {
  constructor(private readonly db: Db) {}

  /**
   * Creates the device or, when the user already has one with this id, keeps it (and its display name, which
   * the spec says an initial name must not overwrite) and only records when and from where it was seen.
   * Returns true when the device is new (a new device is a change of the user's device list).
   */
  async ensure(tx: Tx, device: { userId: string; deviceId: string; displayName: string | null; ts: number; ip: string | null }): Promise<boolean> {
    const row = await tx
      .insertInto("devices")
      .values({
        user_id: device.userId,
        device_id: device.deviceId,
        display_name: device.displayName,
        created_ts: device.ts,
        last_seen_ts: device.ts,
        last_seen_ip: device.ip,
      })
      .onConflict((oc) => oc.columns(["user_id", "device_id"]).doUpdateSet({ last_seen_ts: device.ts, last_seen_ip: device.ip }))
      // A row the statement inserted has no deleting transaction id; one it updated has this one's.
      .returning(sql<boolean>`xmax = 0`.as("created"))
      .executeTakeFirstOrThrow();
    return Boolean(row.created);
  }

  async list(userId: string): Promise<DeviceRecord[]> {
    const rows = await this.db
      .selectFrom("devices")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_ts")
      .orderBy("device_id")
      .execute();
    return rows.map(toRecord);
  }

  async get(userId: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.db
      .selectFrom("devices")
      .selectAll()
      .where("user_id", "=", userId)
      .where("device_id", "=", deviceId)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Returns false when the device does not exist. `executor`: a transaction that records the rename with it. */
  async setDisplayName(userId: string, deviceId: string, displayName: string | null, executor: Db | Tx = this.db): Promise<boolean> {
    const result = await executor
      .updateTable("devices")
      .set({ display_name: displayName })
      .where("user_id", "=", userId)
      .where("device_id", "=", deviceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(tx: Tx, userId: string, deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    await tx.deleteFrom("devices").where("user_id", "=", userId).where("device_id", "in", deviceIds).execute();
  }

  /** Deletes every device of the user except `keep` (if given); returns the deleted ids. */
  async deleteAllExcept(tx: Tx, userId: string, keep: string | null): Promise<string[]> {
    let query = tx.deleteFrom("devices").where("user_id", "=", userId);
    if (keep !== null) query = query.where("device_id", "!=", keep);
    const rows = await query.returning("device_id").execute();
    return rows.map((r) => r.device_id);
  }
}

function toRecord(row: { device_id: string; display_name: string | null; last_seen_ts: number | null; last_seen_ip: string | null }): DeviceRecord {
  return {
    deviceId: row.device_id,
    displayName: row.display_name,
    lastSeenTs: row.last_seen_ts === null ? null : Number(row.last_seen_ts),
    lastSeenIp: row.last_seen_ip,
  };
}
