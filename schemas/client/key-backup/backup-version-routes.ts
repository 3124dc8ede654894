import type { ClientRoute } from "../client-route.js";
import type { JsonObject } from "../common.js";
import { algorithmSchema, type BackupVersionInfo } from "./key-backup-data.js";

const VERSION_PATH = "/_matrix/client/v3/room_keys/version";

/** `{version}`: opaque to clients; one the server never handed out is 404 M_NOT_FOUND, as an unknown one is. */
export interface BackupVersionParams {
  version: string;
}

const versionParams = {
  type: "object",
  required: ["version"],
  properties: { version: { type: "string" } },
} as const;

export interface CreateBackupVersionBody {
  algorithm: string;
  auth_data: JsonObject;
}

/** POST /_matrix/client/v3/room_keys/version (postRoomKeysVersion): a new backup, which becomes the current one. */
export const createBackupVersionRoute: ClientRoute<"required", { body: CreateBackupVersionBody; response: { version: string } }> = {
  method: "POST",
  path: VERSION_PATH,
  auth: "required",
  rateLimited: false,
  body: {
    type: "object",
    required: ["algorithm", "auth_data"],
    properties: { algorithm: algorithmSchema, auth_data: { type: "object" } },
  },
};

/** GET /_matrix/client/v3/room_keys/version (getRoomKeysVersionCurrent). */
export const getCurrentBackupVersionRoute: ClientRoute<"required", { response: BackupVersionInfo }> = {
  method: "GET",
  path: VERSION_PATH,
  auth: "required",
  rateLimited: false,
};

/** GET /_matrix/client/v3/room_keys/version/{version} (getRoomKeysVersion). */
export const getBackupVersionRoute: ClientRoute<"required", { params: BackupVersionParams; response: BackupVersionInfo }> = {
  method: "GET",
  path: `${VERSION_PATH}/:version`,
  auth: "required",
  rateLimited: false,
  params: versionParams,
};

export interface UpdateBackupVersionBody extends CreateBackupVersionBody {
  version?: string;
}

/** PUT /_matrix/client/v3/room_keys/version/{version} (putRoomKeysVersion): only auth_data may change. */
export const updateBackupVersionRoute: ClientRoute<"required", { params: BackupVersionParams; body: UpdateBackupVersionBody; response: Record<string, never> }> = {
  method: "PUT",
  path: `${VERSION_PATH}/:version`,
  auth: "required",
  rateLimited: false,
  params: versionParams,
  body: {
    type: "object",
    required: ["algorithm", "auth_data"],
    properties: { algorithm: algorithmSchema, auth_data: { type: "object" }, version: { type: "string" } },
  },
};

/** DELETE /_matrix/client/v3/room_keys/version/{version} (deleteRoomKeysVersion): the version and all its keys. */
export const deleteBackupVersionRoute: ClientRoute<"required", { params: BackupVersionParams; response: Record<string, never> }> = {
  method: "DELETE",
  path: `${VERSION_PATH}/:version`,
  auth: "required",
  rateLimited: false,
  params: versionParams,
};
