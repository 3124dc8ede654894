import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getBackupVersionRoute, getCurrentBackupVersionRoute } from "../../../schemas/client/key-backup/backup-version-routes.js";

/** The current backup version, or one named by the client. */
export function registerGetBackupVersion(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, getCurrentBackupVersionRoute, async (_request, requester) => keyBackup.currentVersionInfo(requester.userId));
  defineRoute(app, ctx.guards, getBackupVersionRoute, async ({ params }, requester) => keyBackup.versionInfo(requester.userId, params.version));
}
