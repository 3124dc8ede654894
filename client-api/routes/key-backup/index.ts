import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerCreateBackupVersion } from "./create-backup-version.js";
import { registerGetBackupVersion } from "./get-backup-version.js";
import { registerUpdateBackupVersion } from "./update-backup-version.js";
import { registerDeleteBackupVersion } from "./delete-backup-version.js";
import { registerPutRoomKeys } from "./put-room-keys.js";
import { registerGetRoomKeys } from "./get-room-keys.js";
import { registerDeleteRoomKeys } from "./delete-room-keys.js";

/** Server-side key backups: /room_keys/version[/{version}] and /room_keys/keys[/{roomId}[/{sessionId}]]. */
export function registerKeyBackupRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerCreateBackupVersion(app, ctx);
  registerGetBackupVersion(app, ctx);
  registerUpdateBackupVersion(app, ctx);
  registerDeleteBackupVersion(app, ctx);
  registerPutRoomKeys(app, ctx);
  registerGetRoomKeys(app, ctx);
  registerDeleteRoomKeys(app, ctx);
}
