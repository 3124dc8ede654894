import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getRoomTagsRoute } from "../../../schemas/client/account-data/get-room-tags.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerGetRoomTags(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getRoomTagsRoute, async ({ params }, requester) => {
    const { userId, roomId } = params;
    requireOwnUser(requester, userId);
    requireRoomId(roomId);
    return { tags: await ctx.services.accountData.getTags(userId, roomId) };
  });
}
