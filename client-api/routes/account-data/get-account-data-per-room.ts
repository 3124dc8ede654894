import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { getAccountDataPerRoomRoute } from "../../../schemas/client/account-data/get-account-data-per-room.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerGetAccountDataPerRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getAccountDataPerRoomRoute, async ({ params }, requester) => {
    const { userId, roomId, type } = params;
    requireOwnUser(requester, userId);
    requireRoomId(roomId);
    const content = await ctx.services.accountData.get(userId, roomId, type);
    if (content === undefined) throw errors.notFound("Room account data not found");
    return content;
  });
}
