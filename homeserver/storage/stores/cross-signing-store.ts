import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

export type CrossSigningKeyType = "master" | "self_signing" | "user_signing";

/** A user's cross-signing key of one type, as the canonical JSON it was uploaded (or received) as. */
export interface StoredCrossSigningKey {
  userId: string;
  keyType: CrossSigningKeyType;
  keyJson: string;
}

/** One uploaded signature: `signerKeyId` of `signerUserId` signed the key `targetKeyId` of `targetUserId`. */
export interface CrossSignature {
  signerUserId: string;
  signerKeyId: string;
  targetUserId: string;
  /** A device id, or the public key of a master key. */
  targetKeyId: string;
  signature: string;
  /** The local device that made the signature (a device signing its user's master key). */
  signerDeviceId?: string;
  /** The local device that was signed (by its user's self-signing key). */
  targetDeviceId?: string;
}

/** Which key's signatures to read: the key `keyId` of `userId`, by `signers` only when given. */
export interface SignatureTarget {
  userId: string;
  keyId: string;
}

/**
 * The e2e_cross_signing_keys and e2e_cross_signing_signatures tables. Signatures that involve a device go with
 * it (they cascade from `devices`); deactivation deletes the rest with deleteAllForUser.
 */
export class CrossSigningStore {
  constructor(private readonly db: Db) {}

  /**
   * Serialises the cross-signing writes of one user (local uploads, or EDUs about a remote user) for the rest
   * of `tx`: the check "is a master key stored yet?" that lets a first upload skip UIA must still hold when
   * the upload writes. An advisory lock, since remote users have no row to lock.
   */
  async lockUser(tx: Tx, userId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`cross-signing:${userId}`}))`.execute(tx);
  }

  async keysOf(executor: Db | Tx, userIds: readonly string[]): Promise<StoredCrossSigningKey[]> {
    if (userIds.length === 0) return [];
    const { rows } = await sql<{ user_id: string; key_type: CrossSigningKeyType; key_json: string }>`
      SELECT user_id, key_type, key_json FROM e2e_cross_signing_keys
       WHERE user_id IN (SELECT unnest(${[...userIds]}::text[]))
       ORDER BY user_id, key_type`.execute(executor);
    return rows.map((r) => ({ userId: r.user_id, keyType: r.key_type, keyJson: r.key_json }));
  }

  async putKey(tx: Tx, key: StoredCrossSigningKey, ts: number): Promise<void> {
    await sql`
      INSERT INTO e2e_cross_signing_keys (user_id, key_type, key_json, added_ts) VALUES (${key.userId}, ${key.keyType}, ${key.keyJson}, ${ts})
      ON CONFLICT (user_id, key_type) DO UPDATE SET key_json = EXCLUDED.key_json, added_ts = EXCLUDED.added_ts`.execute(tx);
  }

  /** Which of `deviceIds` are devices of the user (a cross-signing key must not take a device's id). */
  async existingDevices(tx: Tx, userId: string, deviceIds: readonly string[]): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    const { rows } = await sql<{ device_id: string }>`
      SELECT device_id FROM devices WHERE user_id = ${userId} AND device_id IN (SELECT unnest(${[...deviceIds]}::text[]))`.execute(tx);
    return rows.map((r) => r.device_id);
  }

  /**
   * Stores signatures; a signature by the same key on the same key replaces the earlier one. One that names a
   * device deleted since it was checked is dropped (it would have gone with the device).
   */
  async addSignatures(tx: Tx, signatures: readonly CrossSignature[]): Promise<void> {
    if (signatures.length === 0) return;
    const column = <K extends keyof CrossSignature>(key: K) => signatures.map((s) => s[key] ?? null);
    await sql`
      INSERT INTO e2e_cross_signing_signatures
        (signer_user_id, signer_key_id, target_user_id, target_key_id, signature, signer_device_id, target_device_id)
      SELECT s.* FROM unnest(${column("signerUserId")}::text[], ${column("signerKeyId")}::text[], ${column("targetUserId")}::text[],
                             ${column("targetKeyId")}::text[], ${column("signature")}::text[], ${column("signerDeviceId")}::text[],
                             ${column("targetDeviceId")}::text[])
          AS s(signer_user_id, signer_key_id, target_user_id, target_key_id, signature, signer_device_id, target_device_id)
       WHERE (s.signer_device_id IS NULL OR EXISTS (SELECT 1 FROM devices d WHERE d.user_id = s.signer_user_id AND d.device_id = s.signer_device_id))
         AND (s.target_device_id IS NULL OR EXISTS (SELECT 1 FROM devices d WHERE d.user_id = s.target_user_id AND d.device_id = s.target_device_id))
      ON CONFLICT (target_user_id, target_key_id, signer_user_id, signer_key_id) DO UPDATE SET signature = EXCLUDED.signature`.execute(tx);
  }

  /**
   * The stored signatures on the keys of `targets`, made by `signer` when given (a master key shows only the
   * signatures its reader may see), else by each key's own user (a device shows its owner's signatures).
   */
  async signaturesOn(executor: Db | Tx, targets: readonly SignatureTarget[], signer?: string): Promise<CrossSignature[]> {
    if (targets.length === 0) return [];
    const { rows } = await sql<{ signer_user_id: string; signer_key_id: string; target_user_id: string; target_key_id: string; signature: string }>`
      SELECT signer_user_id, signer_key_id, target_user_id, target_key_id, signature FROM e2e_cross_signing_signatures
       WHERE (target_user_id, target_key_id) IN (SELECT * FROM unnest(${targets.map((t) => t.userId)}::text[], ${targets.map((t) => t.keyId)}::text[]))
         AND signer_user_id = ${signer === undefined ? sql`target_user_id` : sql`${signer}`}
       ORDER BY target_user_id, target_key_id, signer_key_id`.execute(executor);
    return rows.map((r) => ({ signerUserId: r.signer_user_id, signerKeyId: r.signer_key_id, targetUserId: r.target_user_id, targetKeyId: r.target_key_id, signature: r.signature }));
  }

  /**
   * The signatures each of `userIds` made on their own keys (devices and master key), whichever those are: read
   * beside the device keys rather than after them (a /keys/query of many users saves a round trip).
   */
  async selfSignaturesOf(executor: Db | Tx, userIds: readonly string[]): Promise<CrossSignature[]> {
    if (userIds.length === 0) return [];
    const { rows } = await sql<{ signer_user_id: string; signer_key_id: string; target_user_id: string; target_key_id: string; signature: string }>`
      SELECT signer_user_id, signer_key_id, target_user_id, target_key_id, signature FROM e2e_cross_signing_signatures
       WHERE target_user_id = ANY(${[...userIds]}::text[]) AND signer_user_id = target_user_id
       ORDER BY target_user_id, target_key_id, signer_key_id`.execute(executor);
    return rows.map((r) => ({ signerUserId: r.signer_user_id, signerKeyId: r.signer_key_id, targetUserId: r.target_user_id, targetKeyId: r.target_key_id, signature: r.signature }));
  }

  /** Deactivation: the user's cross-signing keys, the signatures they made and the signatures of their keys. */
  async deleteAllForUser(tx: Tx, userId: string): Promise<void> {
    await sql`DELETE FROM e2e_cross_signing_keys WHERE user_id = ${userId}`.execute(tx);
    await sql`DELETE FROM e2e_cross_signing_signatures WHERE signer_user_id = ${userId} OR target_user_id = ${userId}`.execute(tx);
  }

  /** Whether `userId` is joined to a room here (an EDU about a user we share no room with is not kept). */
  async isJoinedAnywhere(userId: string): Promise<boolean> {
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM current_state WHERE type = 'm.room.member' AND state_key = ${userId} AND membership = 'join' LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }
}
