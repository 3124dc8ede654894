import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { updateBackupVersionRoute } from "../../../schemas/client/key-backup/backup-version-routes.js";

export function registerUpdateBackupVersion(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, updateBackupVersionRoute, async ({ params, body }, requester) => {
    await keyBackup.updateVersion(requester.userId, params.version, body);
    return {};
  });
}
