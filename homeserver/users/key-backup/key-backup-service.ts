import { errors, MatrixError } from "../../errors.js";
import type { BackedUpKeyRow, BackupVersionRow, KeyBackupStore, KeyScope, KeysState } from "../../storage/stores/key-backup-store.js";
import type { JsonObject } from "../../../schemas/client/common.js";
import type {
  BackupVersionInfo,
  KeyBackupData,
  RoomKeyBackup,
  RoomKeyBackups,
  RoomKeysUpdateResponse,
} from "../../../schemas/client/key-backup/key-backup-data.js";
import type { CreateBackupVersionBody, UpdateBackupVersionBody } from "../../../schemas/client/key-backup/backup-version-routes.js";
import { replacesBackedUpKey } from "./key-replacement.js";

/**
 * Versions are handed out as decimal integers; only that exact spelling names one ("01" does not name "1"),
 * since clients treat versions as opaque strings. 15 digits stay exact in JS numbers and in bigint.
 */
const VERSION_TEXT = /^[1-9][0-9]{0,14}$/;

const unknownVersion = () => errors.notFound("Unknown backup version");

/** The spec's 403 for a write to a version that is not the current one, naming the current one. */
const wrongVersion = (current: number) =>
  new MatrixError("M_WRONG_ROOM_KEYS_VERSION", "Wrong backup version.", 403, { current_version: String(current) });

/**
 * Server-side key backups (/room_keys): a user's backup versions and the encrypted room keys in them. Everything
 * is per user: another user's versions are as unknown as ones never created. The server never reads the keys;
 * it only chooses between two keys for one session by their metadata (key-replacement.ts).
 */
export class KeyBackupService {
  constructor(private readonly store: KeyBackupStore) {}

  async createVersion(userId: string, body: CreateBackupVersionBody): Promise<{ version: string }> {
    const version = await this.store.createVersion(userId, body.algorithm, JSON.stringify(body.auth_data));
    return { version: String(version) };
  }

  async currentVersionInfo(userId: string): Promise<BackupVersionInfo> {
    const current = await this.store.currentVersion(userId);
    if (!current) throw errors.notFound("No current backup version");
    return this.info(userId, current);
  }

  async versionInfo(userId: string, versionText: string): Promise<BackupVersionInfo> {
    return this.info(userId, await this.liveVersion(userId, versionText));
  }

  /** Only auth_data changes; the algorithm must be the version's own and a body `version` the path's. */
  async updateVersion(userId: string, versionText: string, body: UpdateBackupVersionBody): Promise<void> {
    if (body.version !== undefined && body.version !== versionText) throw errors.invalidParam("The version in the body does not match the path");
    const existing = await this.liveVersion(userId, versionText);
    if (existing.algorithm !== body.algorithm) throw errors.invalidParam("Algorithm does not match");
    if (!(await this.store.updateAuthData(userId, existing.version, JSON.stringify(body.auth_data)))) throw unknownVersion();
  }

  /** Deletes the version and its keys; deleting one already deleted succeeds (the spec), an unknown one is 404. */
  async deleteVersion(userId: string, versionText: string): Promise<void> {
    const version = parseVersion(versionText);
    if (version === undefined || !(await this.store.deleteVersion(userId, version))) throw unknownVersion();
  }

  /** Stores keys into the current version, keeping a better key the backup already has for a session. */
  async putKeys(userId: string, versionText: string, rooms: RoomKeyBackups["rooms"]): Promise<RoomKeysUpdateResponse> {
    const version = parseVersion(versionText);
    if (version === undefined) throw unknownVersion();
    const rows: BackedUpKeyRow[] = [];
    for (const [roomId, room] of Object.entries(rooms)) {
      for (const [sessionId, key] of Object.entries(room.sessions)) {
        rows.push({
          roomId,
          sessionId,
          firstMessageIndex: key.first_message_index,
          forwardedCount: key.forwarded_count,
          isVerified: key.is_verified,
          sessionData: JSON.stringify(key.session_data),
        });
      }
    }
    const state = await this.store.storeKeys(userId, version, rows, replacesBackedUpKey);
    if (state) return updateResponse(state);
    // Not the current version: the spec's 403 names the current one when the requested one exists at all.
    const current = await this.store.currentVersion(userId);
    if (current && (await this.store.version(userId, version))) throw wrongVersion(current.version);
    throw unknownVersion();
  }

  async keys(userId: string, versionText: string): Promise<RoomKeyBackups> {
    const version = await this.liveVersion(userId, versionText);
    const byRoom = new Map<string, BackedUpKeyRow[]>();
    for (const row of await this.store.keys(userId, version.version)) {
      const rows = byRoom.get(row.roomId);
      if (rows) rows.push(row);
      else byRoom.set(row.roomId, [row]);
    }
    return { rooms: Object.fromEntries([...byRoom].map(([roomId, rows]) => [roomId, { sessions: sessionsOf(rows) }])) };
  }

  /** A room with no keys in the backup is `{sessions: {}}` (the spec, and Synapse), not an error. */
  async roomKeys(userId: string, versionText: string, roomId: string): Promise<RoomKeyBackup> {
    const version = await this.liveVersion(userId, versionText);
    return { sessions: sessionsOf(await this.store.keys(userId, version.version, { roomId })) };
  }

  async sessionKey(userId: string, versionText: string, roomId: string, sessionId: string): Promise<KeyBackupData> {
    const version = await this.liveVersion(userId, versionText);
    const [row] = await this.store.keys(userId, version.version, { roomId, sessionId });
    if (!row) throw errors.notFound("No room_keys found");
    return keyData(row);
  }

  /** Deletes keys from any live version (not only the current one, as Synapse allows). */
  async deleteKeys(userId: string, versionText: string, scope: KeyScope = {}): Promise<RoomKeysUpdateResponse> {
    const version = parseVersion(versionText);
    const state = version === undefined ? undefined : await this.store.deleteKeys(userId, version, scope);
    if (!state) throw unknownVersion();
    return updateResponse(state);
  }

  /** The version unless it is deleted, unknown, or not a version at all: 404 M_NOT_FOUND for each. */
  private async liveVersion(userId: string, versionText: string): Promise<BackupVersionRow> {
    const version = parseVersion(versionText);
    const row = version === undefined ? undefined : await this.store.version(userId, version);
    if (!row) throw unknownVersion();
    return row;
  }

  private async info(userId: string, row: BackupVersionRow): Promise<BackupVersionInfo> {
    return {
      algorithm: row.algorithm,
      auth_data: JSON.parse(row.authData) as JsonObject,
      count: await this.store.countKeys(userId, row.version),
      etag: String(row.etag),
      version: String(row.version),
    };
  }
}

function parseVersion(text: string): number | undefined {
  return VERSION_TEXT.test(text) ? Number(text) : undefined;
}

/** Built with fromEntries, which defines each key: a session id such as "__proto__" stays an ordinary key. */
function sessionsOf(rows: BackedUpKeyRow[]): RoomKeyBackup["sessions"] {
  return Object.fromEntries(rows.map((row) => [row.sessionId, keyData(row)]));
}

function keyData(row: BackedUpKeyRow): KeyBackupData {
  return {
    first_message_index: row.firstMessageIndex,
    forwarded_count: row.forwardedCount,
    is_verified: row.isVerified,
    session_data: JSON.parse(row.sessionData) as JsonObject,
  };
}

const updateResponse = (state: KeysState): RoomKeysUpdateResponse => ({ etag: String(state.etag), count: state.count });
