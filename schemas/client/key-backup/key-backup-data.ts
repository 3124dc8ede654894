import { roomIdSchema, type JsonObject } from "../common.js";

/** KeyBackupData: one session's key in a backup. `session_data` is the client's encrypted object, kept as given. */
export interface KeyBackupData {
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: JsonObject;
}

/** RoomKeyBackup: one room's keys, by session id. */
export interface RoomKeyBackup {
  sessions: Record<string, KeyBackupData>;
}

/** Every room's keys, by room id. */
export interface RoomKeyBackups {
  rooms: Record<string, RoomKeyBackup>;
}

/** RoomKeysUpdateResponse: what every write and delete of keys answers. */
export interface RoomKeysUpdateResponse {
  etag: string;
  count: number;
}

/** What GET /room_keys/version[/{version}] answers. */
export interface BackupVersionInfo {
  algorithm: string;
  auth_data: JsonObject;
  count: number;
  etag: string;
  version: string;
}

// Megolm indexes and counts are unsigned (ruma reads them as UInt); the cap keeps them exact in JS and in bigint.
const countSchema = { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** A megolm session id: the spec leaves it opaque; the cap matches other ids the server stores. */
export const sessionIdSchema = { type: "string", minLength: 1, maxLength: 255 } as const;

export const keyBackupDataSchema = {
  type: "object",
  required: ["first_message_index", "forwarded_count", "is_verified", "session_data"],
  properties: {
    first_message_index: countSchema,
    forwarded_count: countSchema,
    is_verified: { type: "boolean" },
    session_data: { type: "object" },
  },
} as const;

export const roomKeyBackupSchema = {
  type: "object",
  required: ["sessions"],
  properties: { sessions: { type: "object", propertyNames: sessionIdSchema, additionalProperties: keyBackupDataSchema } },
} as const;

export const roomKeyBackupsSchema = {
  type: "object",
  required: ["rooms"],
  properties: { rooms: { type: "object", propertyNames: roomIdSchema, additionalProperties: roomKeyBackupSchema } },
} as const;

/** The algorithm of a backup: the spec names one; others (namespaced, experimental) are stored as given, as Synapse does. */
export const algorithmSchema = { type: "string", minLength: 1, maxLength: 255 } as const;
