import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deleteRoomTagRoute } from "../../../schemas/client/account-data/delete-room-tag.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerDeleteRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deleteRoomTagRoute, async ({ params }, requester) => {
    const { userId, roomId, tag } = params;
    requireOwnUser(requester, userId);
    requireRoomId(roomId);
    await ctx.services.accountData.deleteTag(userId, roomId, tag);
    return {};
  });
}
