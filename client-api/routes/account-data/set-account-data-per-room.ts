import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineCheckedRoute } from "../../http/define-route.js";
import { setAccountDataPerRoomRoute } from "../../../schemas/client/account-data/set-account-data-per-room.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetAccountDataPerRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  defineCheckedRoute(
    app,
    ctx.guards,
    setAccountDataPerRoomRoute,
    ({ params }, requester) => {
      requireOwnUser(requester, params.userId);
      requireRoomId(params.roomId);
    },
    async ({ params, body }) => {
      await ctx.services.accountData.setFromClient(params.userId, params.roomId, params.type, body);
      return {};
    },
  );
}
