import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setAccountDataPerRoomRoute } from "../../../schemas/client/account-data/set-account-data-per-room.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetAccountDataPerRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setAccountDataPerRoomRoute, async ({ params, body }, requester) => {
    const { userId, roomId, type } = params;
    requireOwnUser(requester, userId);
    requireRoomId(roomId);
    await ctx.services.accountData.setFromClient(userId, roomId, type, body);
    return {};
  });
}
