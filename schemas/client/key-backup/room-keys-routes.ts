import type { ClientRoute } from "../client-route.js";
import { roomIdSchema } from "../common.js";
import {
  keyBackupDataSchema,
  roomKeyBackupSchema,
  roomKeyBackupsSchema,
  sessionIdSchema,
  type KeyBackupData,
  type RoomKeyBackup,
  type RoomKeyBackups,
  type RoomKeysUpdateResponse,
} from "./key-backup-data.js";

const KEYS_PATH = "/_matrix/client/v3/room_keys/keys";

/** `?version=`: required on every keys endpoint (400 M_MISSING_PARAM without it). */
export interface RoomKeysQuery {
  version: string;
}

const versionQuery = {
  type: "object",
  required: ["version"],
  properties: { version: { type: "string" } },
} as const;

export interface RoomParams {
  roomId: string;
}

export interface SessionParams extends RoomParams {
  sessionId: string;
}

const roomParams = { type: "object", required: ["roomId"], properties: { roomId: roomIdSchema } } as const;
const sessionParams = {
  type: "object",
  required: ["roomId", "sessionId"],
  properties: { roomId: roomIdSchema, sessionId: sessionIdSchema },
} as const;

type Update = RoomKeysUpdateResponse;

/** PUT /_matrix/client/v3/room_keys/keys (putRoomKeys). */
export const putRoomKeysRoute: ClientRoute<"required", { query: RoomKeysQuery; body: RoomKeyBackups; response: Update }> = {
  method: "PUT",
  path: KEYS_PATH,
  auth: "required",
  rateLimited: false,
  query: versionQuery,
  body: roomKeyBackupsSchema,
};

/** GET /_matrix/client/v3/room_keys/keys (getRoomKeys). */
export const getRoomKeysRoute: ClientRoute<"required", { query: RoomKeysQuery; response: RoomKeyBackups }> = {
  method: "GET",
  path: KEYS_PATH,
  auth: "required",
  rateLimited: false,
  query: versionQuery,
};

/** DELETE /_matrix/client/v3/room_keys/keys (deleteRoomKeys). */
export const deleteRoomKeysRoute: ClientRoute<"required", { query: RoomKeysQuery; response: Update }> = {
  method: "DELETE",
  path: KEYS_PATH,
  auth: "required",
  rateLimited: false,
  query: versionQuery,
};

/** PUT /_matrix/client/v3/room_keys/keys/{roomId} (putRoomKeysByRoomId). */
export const putRoomKeysByRoomRoute: ClientRoute<"required", { params: RoomParams; query: RoomKeysQuery; body: RoomKeyBackup; response: Update }> = {
  method: "PUT",
  path: `${KEYS_PATH}/:roomId`,
  auth: "required",
  rateLimited: false,
  params: roomParams,
  query: versionQuery,
  body: roomKeyBackupSchema,
};

/** GET /_matrix/client/v3/room_keys/keys/{roomId} (getRoomKeysByRoomId): `{sessions: {}}` for a room with no keys. */
export const getRoomKeysByRoomRoute: ClientRoute<"required", { params: RoomParams; query: RoomKeysQuery; response: RoomKeyBackup }> = {
  method: "GET",
  path: `${KEYS_PATH}/:roomId`,
  auth: "required",
  rateLimited: false,
  params: roomParams,
  query: versionQuery,
};

/** DELETE /_matrix/client/v3/room_keys/keys/{roomId} (deleteRoomKeysByRoomId). */
export const deleteRoomKeysByRoomRoute: ClientRoute<"required", { params: RoomParams; query: RoomKeysQuery; response: Update }> = {
  method: "DELETE",
  path: `${KEYS_PATH}/:roomId`,
  auth: "required",
  rateLimited: false,
  params: roomParams,
  query: versionQuery,
};

/** PUT /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId} (putRoomKeyBySessionId). */
export const putRoomKeyBySessionRoute: ClientRoute<"required", { params: SessionParams; query: RoomKeysQuery; body: KeyBackupData; response: Update }> = {
  method: "PUT",
  path: `${KEYS_PATH}/:roomId/:sessionId`,
  auth: "required",
  rateLimited: false,
  params: sessionParams,
  query: versionQuery,
  body: keyBackupDataSchema,
};

/** GET /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId} (getRoomKeyBySessionId): 404 M_NOT_FOUND for no key. */
export const getRoomKeyBySessionRoute: ClientRoute<"required", { params: SessionParams; query: RoomKeysQuery; response: KeyBackupData }> = {
  method: "GET",
  path: `${KEYS_PATH}/:roomId/:sessionId`,
  auth: "required",
  rateLimited: false,
  params: sessionParams,
  query: versionQuery,
};

/** DELETE /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId} (deleteRoomKeyBySessionId). */
export const deleteRoomKeyBySessionRoute: ClientRoute<"required", { params: SessionParams; query: RoomKeysQuery; response: Update }> = {
  method: "DELETE",
  path: `${KEYS_PATH}/:roomId/:sessionId`,
  auth: "required",
  rateLimited: false,
  params: sessionParams,
  query: versionQuery,
};
