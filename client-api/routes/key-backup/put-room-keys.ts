import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { putRoomKeyBySessionRoute, putRoomKeysByRoomRoute, putRoomKeysRoute } from "../../../schemas/client/key-backup/room-keys-routes.js";

/** Storing keys, for every room, one room, or one session: the narrower forms are the wide one with one room or key. */
export function registerPutRoomKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  const { keyBackup } = ctx.services;
  defineRoute(app, ctx.guards, putRoomKeysRoute, async ({ query, body }, requester) => keyBackup.putKeys(requester.userId, query.version, body.rooms));
  defineRoute(app, ctx.guards, putRoomKeysByRoomRoute, async ({ params, query, body }, requester) =>
    keyBackup.putKeys(requester.userId, query.version, { [params.roomId]: body }),
  );
  defineRoute(app, ctx.guards, putRoomKeyBySessionRoute, async ({ params, query, body }, requester) =>
    keyBackup.putKeys(requester.userId, query.version, { [params.roomId]: { sessions: { [params.sessionId]: body } } }),
  );
}
