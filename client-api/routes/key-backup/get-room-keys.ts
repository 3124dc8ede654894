import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getRoomKeyBySessionRoute, getRoomKeysByRoomRoute, getRoomKeysRoute } from "../../../schemas/client/key-backup/room-keys-routes.js";

export function registerGetRoomKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, getRoomKeysRoute, async ({ query }, requester) => keyBackup.keys(requester.userId, query.version));
  defineRoute(app, ctx.guards, getRoomKeysByRoomRoute, async ({ params, query }, requester) => keyBackup.roomKeys(requester.userId, query.version, params.roomId));
  defineRoute(app, ctx.guards, getRoomKeyBySessionRoute, async ({ params, query }, requester) =>
    keyBackup.sessionKey(requester.userId, query.version, params.roomId, params.sessionId),
  );
}
