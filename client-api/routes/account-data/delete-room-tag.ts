import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { deleteRoomTagParamsSchema } from "../../../schemas/client/account-data/delete-room-tag.js";
import type { RoomTagParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerDeleteRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  app.delete(
    "/_matrix/client/v3/user/:userId/rooms/:roomId/tags/:tag",
    { schema: { params: deleteRoomTagParamsSchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      const { userId, roomId, tag } = request.params as RoomTagParams;
      requireOwnUser(requester, userId);
      requireRoomId(roomId);
      ctx.rateLimit(requester.userId);
      await ctx.app.users.accountData.deleteTag(userId, roomId, tag);
      return {};
    },
  );
}
