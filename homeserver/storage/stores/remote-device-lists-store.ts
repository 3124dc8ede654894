import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** A cached device of a remote user. `keyJson`: canonical JSON of its device keys, null when it has none. */
export interface CachedRemoteDevice {
  deviceId: string;
  keyJson: string | null;
  displayName: string | null;
}

/**
 * The remote device list cache (remote_device_lists, remote_device_list_devices): the whole device list of remote
 * users we share a room with, as of the position device_list_remote_positions holds for them. Forgetting a user
 * forgets that position too, so that the next update about them is a resync rather than applied to nothing.
 */
export class RemoteDeviceListsStore {
  constructor(private readonly db: Db) {}

  /** The cached devices of those of `userIds` whose list is cached (a cached user may have none). */
  async cachedDevices(userIds: readonly string[], executor: Db | Tx = this.db): Promise<Map<string, CachedRemoteDevice[]>> {
    const result = new Map<string, CachedRemoteDevice[]>();
    if (userIds.length === 0) return result;
    const { rows } = await sql<{ user_id: string; device_id: string | null; key_json: string | null; display_name: string | null }>`
      SELECT l.user_id, d.device_id, d.key_json, d.display_name
      FROM remote_device_lists l LEFT JOIN remote_device_list_devices d ON d.user_id = l.user_id
      WHERE l.user_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))
      ORDER BY l.user_id, d.device_id`.execute(executor);
    for (const row of rows) {
      const devices = result.get(row.user_id) ?? result.set(row.user_id, []).get(row.user_id)!;
      if (row.device_id !== null) devices.push({ deviceId: row.device_id, keyJson: row.key_json, displayName: row.display_name });
    }
    return result;
  }

  /** Those of `userIds` joined to a room where a user of `ourServer` is joined too. */
  async sharingWithLocalUsers(userIds: readonly string[], ourServer: string): Promise<string[]> {
    if (userIds.length === 0) return [];
    const suffix = `:${ourServer}`;
    const { rows } = await sql<{ state_key: string }>`
      SELECT DISTINCT theirs.state_key FROM current_state theirs JOIN current_state ours ON ours.room_id = theirs.room_id
      WHERE theirs.type = 'm.room.member' AND theirs.membership = 'join'
        AND theirs.state_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))
        AND ours.type = 'm.room.member' AND ours.membership = 'join' AND right(ours.state_key, ${suffix.length}) = ${suffix}`.execute(this.db);
    return rows.map((r) => r.state_key);
  }

  /** Whether the user's list is cached, locking its row for an update that follows in `tx`. */
  async lockCached(tx: Tx, userId: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one FROM remote_device_lists WHERE user_id = ${userId} FOR UPDATE`.execute(tx);
    return rows.length > 0;
  }

  /** The user's whole list, as a resync fetched it: replaces what was cached. */
  async replace(tx: Tx, userId: string, devices: readonly CachedRemoteDevice[], ts: number): Promise<void> {
    await sql`
      INSERT INTO remote_device_lists (user_id, cached_ts) VALUES (${userId}, ${ts})
      ON CONFLICT (user_id) DO UPDATE SET cached_ts = EXCLUDED.cached_ts`.execute(tx);
    await sql`DELETE FROM remote_device_list_devices WHERE user_id = ${userId}`.execute(tx);
    if (devices.length === 0) return;
    const json = JSON.stringify(devices.map((d) => ({ device_id: d.deviceId, key_json: d.keyJson, display_name: d.displayName })));
    await sql`
      INSERT INTO remote_device_list_devices (user_id, device_id, key_json, display_name)
      SELECT ${userId}, r.device_id, r.key_json, r.display_name
      FROM jsonb_to_recordset(${json}::jsonb) AS r(device_id text, key_json text, display_name text)
      ON CONFLICT DO NOTHING`.execute(tx);
  }

  /** One device added or changed in a cached list. */
  async putDevice(tx: Tx, userId: string, device: CachedRemoteDevice, ts: number): Promise<void> {
    await sql`
      INSERT INTO remote_device_list_devices (user_id, device_id, key_json, display_name)
      VALUES (${userId}, ${device.deviceId}, ${device.keyJson}, ${device.displayName})
      ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = EXCLUDED.key_json, display_name = EXCLUDED.display_name`.execute(tx);
    await sql`UPDATE remote_device_lists SET cached_ts = ${ts} WHERE user_id = ${userId}`.execute(tx);
  }

  async deleteDevice(tx: Tx, userId: string, deviceId: string, ts: number): Promise<void> {
    await sql`DELETE FROM remote_device_list_devices WHERE user_id = ${userId} AND device_id = ${deviceId}`.execute(tx);
    await sql`UPDATE remote_device_lists SET cached_ts = ${ts} WHERE user_id = ${userId}`.execute(tx);
  }

  /** Stops caching the user: their list, and the position it stood at. */
  async forget(tx: Tx, userId: string): Promise<void> {
    await sql`DELETE FROM remote_device_lists WHERE user_id = ${userId}`.execute(tx);
    await sql`DELETE FROM device_list_remote_positions WHERE user_id = ${userId}`.execute(tx);
  }

  /**
   * Stops caching every cached user who shares no joined room with a user of `ourServer` any more (nobody here
   * would be told of their changes, so the cache would go stale); returns them.
   */
  async forgetUnshared(ourServer: string): Promise<string[]> {
    const suffix = `:${ourServer}`;
    return this.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ user_id: string }>`
        DELETE FROM remote_device_lists l
        WHERE NOT EXISTS (
          SELECT 1 FROM current_state theirs JOIN current_state ours ON ours.room_id = theirs.room_id
          WHERE theirs.type = 'm.room.member' AND theirs.state_key = l.user_id AND theirs.membership = 'join'
            AND ours.type = 'm.room.member' AND ours.membership = 'join' AND right(ours.state_key, ${suffix.length}) = ${suffix})
        RETURNING l.user_id`.execute(tx);
      const userIds = rows.map((r) => r.user_id);
      if (userIds.length > 0) {
        await sql`
          DELETE FROM device_list_remote_positions
          WHERE user_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))`.execute(tx);
      }
      return userIds.sort();
    });
  }

  /** The latest events-stream position of a leave or ban after `after` (someone may have stopped sharing), or undefined. */
  async lastDepartureAfter(after: number): Promise<number | undefined> {
    const { rows } = await sql<{ pos: number | null }>`
      SELECT max(stream_pos) AS pos FROM events
      WHERE stream_pos > ${after} AND type = 'm.room.member' AND membership IN ('leave', 'ban')`.execute(this.db);
    return rows[0]?.pos === null || rows[0]?.pos === undefined ? undefined : Number(rows[0].pos);
  }
}
