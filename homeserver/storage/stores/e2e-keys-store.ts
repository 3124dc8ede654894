import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** One device's published identity keys, as its canonical JSON, with the device's display name. */
export interface StoredDeviceKeys {
  userId: string;
  deviceId: string;
  keyJson: string;
  displayName: string | null;
}

/** A one-time or fallback key: `algorithm:keyId` is its name on the wire; `keyJson` its canonical JSON. */
export interface StoredKey {
  algorithm: string;
  keyId: string;
  keyJson: string;
}

export interface KeyClaim {
  userId: string;
  deviceId: string;
  algorithm: string;
}

/** The key of a claim's result in claimKeys' answer. */
export function claimKey(claim: KeyClaim): string {
  return `${claim.userId}\u0000${claim.deviceId}\u0000${claim.algorithm}`;
}

/** Which devices a key query asks for: all of a user's (`deviceIds` null) or the listed ones. */
export interface DeviceKeysQuery {
  userId: string;
  deviceIds: readonly string[] | null;
}

/**
 * The e2e_device_keys, e2e_one_time_keys and e2e_fallback_keys tables. Rows go with their device (the
 * tables cascade from `devices`), so no delete path needs to know about them.
 */
export class E2eKeysStore {
  constructor(private readonly db: Db) {}

  /**
   * Locks the device's row for the rest of `tx`, so that uploads for one device run one after another (two
   * concurrent uploads of the same new one-time key must not both pass the "already stored?" check).
   * Returns false when the device does not exist.
   */
  async lockDevice(tx: Tx, userId: string, deviceId: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM devices WHERE user_id = ${userId} AND device_id = ${deviceId} FOR NO KEY UPDATE`.execute(tx);
    return rows.length > 0;
  }

  async deviceKeyJson(tx: Tx, userId: string, deviceId: string): Promise<string | undefined> {
    const { rows } = await sql<{ key_json: string }>`
      SELECT key_json FROM e2e_device_keys WHERE user_id = ${userId} AND device_id = ${deviceId}`.execute(tx);
    return rows[0]?.key_json;
  }

  async putDeviceKeys(tx: Tx, userId: string, deviceId: string, keyJson: string, ts: number): Promise<void> {
    await sql`
      INSERT INTO e2e_device_keys (user_id, device_id, key_json, added_ts) VALUES (${userId}, ${deviceId}, ${keyJson}, ${ts})
      ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = EXCLUDED.key_json, added_ts = EXCLUDED.added_ts`.execute(tx);
  }

  /** Device keys of the devices asked for that have published keys, in one query. */
  async queryDeviceKeys(queries: readonly DeviceKeysQuery[]): Promise<StoredDeviceKeys[]> {
    const wholeUsers = queries.filter((q) => q.deviceIds === null || q.deviceIds.length === 0).map((q) => q.userId);
    const pairUsers: string[] = [];
    const pairDevices: string[] = [];
    for (const query of queries) {
      for (const deviceId of query.deviceIds ?? []) {
        pairUsers.push(query.userId);
        pairDevices.push(deviceId);
      }
    }
    if (wholeUsers.length === 0 && pairUsers.length === 0) return [];
    const { rows } = await sql<{ user_id: string; device_id: string; key_json: string; display_name: string | null }>`
      SELECT k.user_id, k.device_id, k.key_json, d.display_name
        FROM e2e_device_keys k JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
       WHERE k.user_id = ANY(${wholeUsers}::text[])
          OR (k.user_id, k.device_id) IN (SELECT * FROM unnest(${pairUsers}::text[], ${pairDevices}::text[]))
       ORDER BY k.user_id, k.device_id`.execute(this.db);
    return rows.map((r) => ({ userId: r.user_id, deviceId: r.device_id, keyJson: r.key_json, displayName: r.display_name }));
  }

  /** The stored one-time keys among `keys` (by algorithm and key id), to compare a re-upload with. */
  async oneTimeKeysAmong(tx: Tx, userId: string, deviceId: string, keys: readonly StoredKey[]): Promise<StoredKey[]> {
    if (keys.length === 0) return [];
    const { rows } = await sql<{ algorithm: string; key_id: string; key_json: string }>`
      SELECT algorithm, key_id, key_json FROM e2e_one_time_keys
       WHERE user_id = ${userId} AND device_id = ${deviceId}
         AND (algorithm, key_id) IN (SELECT * FROM unnest(${keys.map((k) => k.algorithm)}::text[], ${keys.map((k) => k.keyId)}::text[]))`.execute(tx);
    return rows.map((r) => ({ algorithm: r.algorithm, keyId: r.key_id, keyJson: r.key_json }));
  }

  /** Adds new one-time keys; callers have checked (under lockDevice) that none is stored yet. */
  async addOneTimeKeys(tx: Tx, userId: string, deviceId: string, keys: readonly StoredKey[]): Promise<void> {
    if (keys.length === 0) return;
    await sql`
      INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)
      SELECT ${userId}, ${deviceId}, k.algorithm, k.key_id, k.key_json
        FROM unnest(${keys.map((k) => k.algorithm)}::text[], ${keys.map((k) => k.keyId)}::text[], ${keys.map((k) => k.keyJson)}::text[])
          AS k(algorithm, key_id, key_json)`.execute(tx);
  }

  /**
   * Makes `key` the device's fallback key for its algorithm, unused. The same key uploaded again changes
   * nothing, so re-sending it does not make a used fallback key look fresh (as Synapse does).
   */
  async setFallbackKey(tx: Tx, userId: string, deviceId: string, key: StoredKey): Promise<void> {
    await sql`
      INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)
      VALUES (${userId}, ${deviceId}, ${key.algorithm}, ${key.keyId}, ${key.keyJson}, false)
      ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
        SET key_id = EXCLUDED.key_id, key_json = EXCLUDED.key_json, used = false
        WHERE e2e_fallback_keys.key_id <> EXCLUDED.key_id OR e2e_fallback_keys.key_json <> EXCLUDED.key_json`.execute(tx);
  }

  /**
   * Hands out one one-time key of the device and algorithm, the oldest first, and deletes it, in one
   * statement: the row lock with SKIP LOCKED means two concurrent claims never pick the same key, and a claim
   * never waits for another (it takes the next key, or none).
   */
  async claimOneTimeKey(claim: KeyClaim): Promise<StoredKey | undefined> {
    const { userId, deviceId, algorithm } = claim;
    const { rows } = await sql<{ key_id: string; key_json: string }>`
      DELETE FROM e2e_one_time_keys
       WHERE (user_id, device_id, algorithm, key_id) IN (
         SELECT user_id, device_id, algorithm, key_id FROM e2e_one_time_keys
          WHERE user_id = ${userId} AND device_id = ${deviceId} AND algorithm = ${algorithm}
          ORDER BY upload_seq
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
      RETURNING key_id, key_json`.execute(this.db);
    const row = rows[0];
    return row ? { algorithm, keyId: row.key_id, keyJson: row.key_json } : undefined;
  }

  /**
   * claimOneTimeKey and, where that finds none, claimFallbackKey for many devices at once: one round trip for a
   * /keys/claim of a whole room instead of one commit per device. Each device's claim keeps the single claim's
   * rules (the oldest key, SKIP LOCKED so concurrent claims never share a key). Keyed by claimKey(claim).
   */
  async claimKeys(claims: readonly KeyClaim[]): Promise<Map<string, StoredKey>> {
    const claimed = new Map<string, StoredKey>();
    if (claims.length === 0) return claimed;
    const users = claims.map((c) => c.userId);
    const devices = claims.map((c) => c.deviceId);
    const algorithms = claims.map((c) => c.algorithm);
    await this.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ user_id: string; device_id: string; algorithm: string; key_id: string; key_json: string }>`
        DELETE FROM e2e_one_time_keys d
         USING (
           SELECT k.user_id, k.device_id, k.algorithm, k.key_id
             FROM unnest(${users}::text[], ${devices}::text[], ${algorithms}::text[]) AS w(user_id, device_id, algorithm)
             CROSS JOIN LATERAL (
               SELECT o.user_id, o.device_id, o.algorithm, o.key_id FROM e2e_one_time_keys o
                WHERE o.user_id = w.user_id AND o.device_id = w.device_id AND o.algorithm = w.algorithm
                ORDER BY o.upload_seq
                LIMIT 1
                FOR UPDATE SKIP LOCKED) k
         ) picked
         WHERE d.user_id = picked.user_id AND d.device_id = picked.device_id AND d.algorithm = picked.algorithm AND d.key_id = picked.key_id
        RETURNING d.user_id, d.device_id, d.algorithm, d.key_id, d.key_json`.execute(tx);
      for (const r of rows) claimed.set(claimKey({ userId: r.user_id, deviceId: r.device_id, algorithm: r.algorithm }), { algorithm: r.algorithm, keyId: r.key_id, keyJson: r.key_json });
      const rest = claims.filter((c) => !claimed.has(claimKey(c)));
      if (rest.length === 0) return;
      const fallback = await sql<{ user_id: string; device_id: string; algorithm: string; key_id: string; key_json: string }>`
        UPDATE e2e_fallback_keys f SET used = true
          FROM unnest(${rest.map((c) => c.userId)}::text[], ${rest.map((c) => c.deviceId)}::text[], ${rest.map((c) => c.algorithm)}::text[]) AS w(user_id, device_id, algorithm)
         WHERE f.user_id = w.user_id AND f.device_id = w.device_id AND f.algorithm = w.algorithm
        RETURNING f.user_id, f.device_id, f.algorithm, f.key_id, f.key_json`.execute(tx);
      for (const r of fallback.rows) claimed.set(claimKey({ userId: r.user_id, deviceId: r.device_id, algorithm: r.algorithm }), { algorithm: r.algorithm, keyId: r.key_id, keyJson: r.key_json });
    });
    return claimed;
  }

  /** The device's fallback key of the algorithm, now marked used (it is kept: it may be handed out again). */
  async claimFallbackKey(claim: KeyClaim): Promise<StoredKey | undefined> {
    const { userId, deviceId, algorithm } = claim;
    const { rows } = await sql<{ key_id: string; key_json: string }>`
      UPDATE e2e_fallback_keys SET used = true
       WHERE user_id = ${userId} AND device_id = ${deviceId} AND algorithm = ${algorithm}
      RETURNING key_id, key_json`.execute(this.db);
    const row = rows[0];
    return row ? { algorithm, keyId: row.key_id, keyJson: row.key_json } : undefined;
  }

  /** Unclaimed one-time keys of the device by algorithm (only algorithms it has keys of). */
  async countOneTimeKeys(executor: Db | Tx, userId: string, deviceId: string): Promise<Record<string, number>> {
    const { rows } = await sql<{ algorithm: string; count: number | string }>`
      SELECT algorithm, count(*) AS count FROM e2e_one_time_keys
       WHERE user_id = ${userId} AND device_id = ${deviceId}
       GROUP BY algorithm`.execute(executor);
    return Object.fromEntries(rows.map((r) => [r.algorithm, Number(r.count)]));
  }

  /** For /sync's device_unused_fallback_key_types: the algorithms whose fallback key has not been handed out. */
  async unusedFallbackKeyTypes(userId: string, deviceId: string): Promise<string[]> {
    const { rows } = await sql<{ algorithm: string }>`
      SELECT algorithm FROM e2e_fallback_keys
       WHERE user_id = ${userId} AND device_id = ${deviceId} AND NOT used
       ORDER BY algorithm`.execute(this.db);
    return rows.map((r) => r.algorithm);
  }

  /** The device's fallback keys (tests and diagnostics): used ones too. */
  async fallbackKeys(userId: string, deviceId: string): Promise<Array<StoredKey & { used: boolean }>> {
    const { rows } = await sql<{ algorithm: string; key_id: string; key_json: string; used: boolean }>`
      SELECT algorithm, key_id, key_json, used FROM e2e_fallback_keys
       WHERE user_id = ${userId} AND device_id = ${deviceId}
       ORDER BY algorithm`.execute(this.db);
    return rows.map((r) => ({ algorithm: r.algorithm, keyId: r.key_id, keyJson: r.key_json, used: r.used }));
  }
}
