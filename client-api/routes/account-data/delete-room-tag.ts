import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineCheckedRoute } from "../../http/define-route.js";
import { deleteRoomTagRoute } from "../../../schemas/client/account-data/delete-room-tag.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerDeleteRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  defineCheckedRoute(
    app,
    ctx.guards,
    deleteRoomTagRoute,
    ({ params }, requester) => {
      requireOwnUser(requester, params.userId);
      requireRoomId(params.roomId);
    },
    async ({ params }) => {
      await ctx.services.accountData.deleteTag(params.userId, params.roomId, params.tag);
      return {};
    },
  );
}
