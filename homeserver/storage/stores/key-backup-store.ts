import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** One backup version of a user's, as stored; `authData` is the client's JSON text. */
export interface BackupVersionRow {
  version: number;
  algorithm: string;
  authData: string;
  /** How many times the version's keys changed. */
  etag: number;
}

/** The metadata by which the server picks between two keys for one session. */
export interface BackedUpKeyMeta {
  firstMessageIndex: number;
  forwardedCount: number;
  isVerified: boolean;
}

/** One room key in a backup; `sessionData` is the client's JSON text. */
export interface BackedUpKeyRow extends BackedUpKeyMeta {
  roomId: string;
  sessionId: string;
  sessionData: string;
}

/** Which keys of a version a read or delete covers: all, one room's, or one session's. */
export interface KeyScope {
  roomId?: string;
  sessionId?: string;
}

/** A version's key state after a change: what PUT and DELETE /room_keys/keys answer. */
export interface KeysState {
  etag: number;
  count: number;
}

interface VersionDbRow {
  version: number;
  algorithm: string;
  auth_data: string;
  etag: number;
}

interface KeyDbRow {
  room_id: string;
  session_id: string;
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: string;
}

const toVersion = (r: VersionDbRow): BackupVersionRow => ({ version: Number(r.version), algorithm: r.algorithm, authData: r.auth_data, etag: Number(r.etag) });
const toKey = (r: KeyDbRow): BackedUpKeyRow => ({
  roomId: r.room_id,
  sessionId: r.session_id,
  firstMessageIndex: Number(r.first_message_index),
  forwardedCount: Number(r.forwarded_count),
  isVerified: r.is_verified,
  sessionData: r.session_data,
});

/** `key_backup_versions` and `key_backup_keys`: server-side key backups, always per user. */
export class KeyBackupStore {
  constructor(private readonly db: Db) {}

  /** A new version numbered one past the user's highest (deleted ones included), which becomes the current one. */
  async createVersion(userId: string, algorithm: string, authData: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      await this.lockUser(tx, userId);
      const { rows } = await sql<{ version: number }>`
        INSERT INTO key_backup_versions (user_id, version, algorithm, auth_data)
        SELECT ${userId}, COALESCE(MAX(version), 0) + 1, ${algorithm}, ${authData} FROM key_backup_versions WHERE user_id = ${userId}
        RETURNING version`.execute(tx);
      return Number(rows[0].version);
    });
  }

  /** The version, unless it was deleted or never existed. */
  async version(userId: string, version: number): Promise<BackupVersionRow | undefined> {
    const { rows } = await sql<VersionDbRow>`
      SELECT version, algorithm, auth_data, etag FROM key_backup_versions
      WHERE user_id = ${userId} AND version = ${version} AND NOT deleted`.execute(this.db);
    return rows[0] && toVersion(rows[0]);
  }

  /** The newest version not deleted: the only one keys may be written to. */
  async currentVersion(userId: string): Promise<BackupVersionRow | undefined> {
    const { rows } = await sql<VersionDbRow>`
      SELECT version, algorithm, auth_data, etag FROM key_backup_versions
      WHERE user_id = ${userId} AND NOT deleted ORDER BY version DESC LIMIT 1`.execute(this.db);
    return rows[0] && toVersion(rows[0]);
  }

  /** Replaces a live version's auth_data; false when the version is deleted or unknown. */
  async updateAuthData(userId: string, version: number, authData: string): Promise<boolean> {
    const { rows } = await sql<{ version: number }>`
      UPDATE key_backup_versions SET auth_data = ${authData}
      WHERE user_id = ${userId} AND version = ${version} AND NOT deleted RETURNING version`.execute(this.db);
    return rows.length > 0;
  }

  /** Marks the version deleted and removes its keys; false only when the user never had that version. */
  async deleteVersion(userId: string, version: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await this.lockUser(tx, userId);
      const { rows } = await sql<{ version: number }>`
        UPDATE key_backup_versions SET deleted = true WHERE user_id = ${userId} AND version = ${version} RETURNING version`.execute(tx);
      if (rows.length === 0) return false;
      await sql`DELETE FROM key_backup_keys WHERE user_id = ${userId} AND version = ${version}`.execute(tx);
      return true;
    });
  }

  /** Deactivation: every backed-up key goes, and every version counts as deleted (its number is never reused). */
  async deleteAllForUser(tx: Tx, userId: string): Promise<void> {
    await sql`DELETE FROM key_backup_keys WHERE user_id = ${userId}`.execute(tx);
    await sql`UPDATE key_backup_versions SET deleted = true, auth_data = '{}' WHERE user_id = ${userId}`.execute(tx);
  }

  async countKeys(userId: string, version: number): Promise<number> {
    return this.countIn(this.db, userId, version);
  }

  /** The keys of a version in `scope`, ordered by room and session. */
  async keys(userId: string, version: number, scope: KeyScope = {}): Promise<BackedUpKeyRow[]> {
    const { rows } = await sql<KeyDbRow>`
      SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM key_backup_keys
      WHERE user_id = ${userId} AND version = ${version} ${scopeFilter(scope)}
      ORDER BY room_id, session_id`.execute(this.db);
    return rows.map(toKey);
  }

  /**
   * Stores `keys` into the version if it is (still) the user's current one, each only where there is no key for
   * its session yet or `replaces(existing, candidate)` says so; the etag moves on when anything was written.
   * Undefined when the version is not the current one. One transaction, with the user locked, so that two devices
   * uploading the same session at once cannot both decide against a key the other is writing.
   */
  async storeKeys(
    userId: string,
    version: number,
    keys: BackedUpKeyRow[],
    replaces: (existing: BackedUpKeyMeta, candidate: BackedUpKeyMeta) => boolean,
  ): Promise<KeysState | undefined> {
    return this.db.transaction().execute(async (tx) => {
      await this.lockUser(tx, userId);
      const { rows: current } = await sql<{ version: number; etag: number }>`
        SELECT version, etag FROM key_backup_versions WHERE user_id = ${userId} AND NOT deleted ORDER BY version DESC LIMIT 1`.execute(tx);
      if (current.length === 0 || Number(current[0].version) !== version) return undefined;
      let etag = Number(current[0].etag);
      const existing = await this.existingKeys(tx, userId, version, keys);
      const toWrite = keys.filter((candidate) => {
        const old = existing.get(sessionKey(candidate.roomId, candidate.sessionId));
        return old === undefined || replaces(old, candidate);
      });
      if (toWrite.length > 0) {
        await sql`
          INSERT INTO key_backup_keys (user_id, version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
          SELECT ${userId}, ${version}, k.room_id, k.session_id, k.first_message_index, k.forwarded_count, k.is_verified::boolean, k.session_data
          FROM unnest(
            ${toWrite.map((k) => k.roomId)}::text[],
            ${toWrite.map((k) => k.sessionId)}::text[],
            ${toWrite.map((k) => k.firstMessageIndex)}::bigint[],
            ${toWrite.map((k) => k.forwardedCount)}::bigint[],
            ${toWrite.map((k) => String(k.isVerified))}::text[],
            ${toWrite.map((k) => k.sessionData)}::text[]
          ) AS k(room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
          ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET
            first_message_index = excluded.first_message_index,
            forwarded_count = excluded.forwarded_count,
            is_verified = excluded.is_verified,
            session_data = excluded.session_data`.execute(tx);
        etag = await this.bumpEtag(tx, userId, version);
      }
      return { etag, count: await this.countIn(tx, userId, version) };
    });
  }

  /** Deletes the version's keys in `scope` (any live version, not only the current); undefined when the version is deleted or unknown. */
  async deleteKeys(userId: string, version: number, scope: KeyScope = {}): Promise<KeysState | undefined> {
    return this.db.transaction().execute(async (tx) => {
      await this.lockUser(tx, userId);
      const { rows } = await sql<{ etag: number }>`
        SELECT etag FROM key_backup_versions WHERE user_id = ${userId} AND version = ${version} AND NOT deleted`.execute(tx);
      if (rows.length === 0) return undefined;
      const deleted = await sql<{ session_id: string }>`
        DELETE FROM key_backup_keys WHERE user_id = ${userId} AND version = ${version} ${scopeFilter(scope)} RETURNING session_id`.execute(tx);
      const etag = deleted.rows.length > 0 ? await this.bumpEtag(tx, userId, version) : Number(rows[0].etag);
      return { etag, count: await this.countIn(tx, userId, version) };
    });
  }

  /** Serialises one user's backup writes; an advisory lock also covers the version row a create is about to add. */
  private async lockUser(tx: Tx, userId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`key_backup:${userId}`}))`.execute(tx);
  }

  private async bumpEtag(tx: Tx, userId: string, version: number): Promise<number> {
    const { rows } = await sql<{ etag: number }>`
      UPDATE key_backup_versions SET etag = etag + 1 WHERE user_id = ${userId} AND version = ${version} RETURNING etag`.execute(tx);
    return Number(rows[0].etag);
  }

  private async countIn(db: Db | Tx, userId: string, version: number): Promise<number> {
    const { rows } = await sql<{ count: number }>`
      SELECT count(*)::bigint AS count FROM key_backup_keys WHERE user_id = ${userId} AND version = ${version}`.execute(db);
    return Number(rows[0].count);
  }

  private async existingKeys(tx: Tx, userId: string, version: number, keys: BackedUpKeyRow[]): Promise<Map<string, BackedUpKeyMeta>> {
    const found = new Map<string, BackedUpKeyMeta>();
    if (keys.length === 0) return found;
    const { rows } = await sql<Omit<KeyDbRow, "session_data">>`
      SELECT k.room_id, k.session_id, k.first_message_index, k.forwarded_count, k.is_verified
      FROM key_backup_keys k
      JOIN unnest(${keys.map((k) => k.roomId)}::text[], ${keys.map((k) => k.sessionId)}::text[]) AS wanted(room_id, session_id)
        ON k.room_id = wanted.room_id AND k.session_id = wanted.session_id
      WHERE k.user_id = ${userId} AND k.version = ${version}`.execute(tx);
    for (const r of rows) {
      found.set(sessionKey(r.room_id, r.session_id), {
        firstMessageIndex: Number(r.first_message_index),
        forwardedCount: Number(r.forwarded_count),
        isVerified: r.is_verified,
      });
    }
    return found;
  }
}

// Room ids never hold U+0000 (refused at the edge), so it cannot make two pairs collide.
const sessionKey = (roomId: string, sessionId: string) => `${roomId}\u0000${sessionId}`;

function scopeFilter(scope: KeyScope) {
  if (scope.roomId === undefined) return sql``;
  if (scope.sessionId === undefined) return sql`AND room_id = ${scope.roomId}`;
  return sql`AND room_id = ${scope.roomId} AND session_id = ${scope.sessionId}`;
}
