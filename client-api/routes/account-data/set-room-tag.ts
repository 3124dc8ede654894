import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setRoomTagRoute } from "../../../schemas/client/account-data/set-room-tag.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setRoomTagRoute, async ({ params, body }, requester) => {
    const { userId, roomId, tag } = params;
    requireOwnUser(requester, userId);
    requireRoomId(roomId);
    await ctx.services.accountData.putTag(userId, roomId, tag, body);
    return {};
  });
}
