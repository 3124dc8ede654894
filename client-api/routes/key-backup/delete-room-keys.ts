import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deleteRoomKeyBySessionRoute, deleteRoomKeysByRoomRoute, deleteRoomKeysRoute } from "../../../schemas/client/key-backup/room-keys-routes.js";

export function registerDeleteRoomKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, deleteRoomKeysRoute, async ({ query }, requester) => keyBackup.deleteKeys(requester.userId, query.version));
  defineRoute(app, ctx.guards, deleteRoomKeysByRoomRoute, async ({ params, query }, requester) =>
    keyBackup.deleteKeys(requester.userId, query.version, { roomId: params.roomId }),
  );
  defineRoute(app, ctx.guards, deleteRoomKeyBySessionRoute, async ({ params, query }, requester) =>
    keyBackup.deleteKeys(requester.userId, query.version, { roomId: params.roomId, sessionId: params.sessionId }),
  );
}
