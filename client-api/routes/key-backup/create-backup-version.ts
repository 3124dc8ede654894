import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { createBackupVersionRoute } from "../../../schemas/client/key-backup/backup-version-routes.js";

export function registerCreateBackupVersion(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, createBackupVersionRoute, async ({ body }, requester) => keyBackup.createVersion(requester.userId, body));
}
