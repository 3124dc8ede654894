import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deleteBackupVersionRoute } from "../../../schemas/client/key-backup/backup-version-routes.js";

export function registerDeleteBackupVersion(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, deleteBackupVersionRoute, async ({ params }, requester) => {
    await keyBackup.deleteVersion(requester.userId, params.version);
    return {};
  });
}
