import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { getRoomTagsParamsSchema, type GetRoomTagsResponse } from "../../../schemas/client/account-data/get-room-tags.js";
import type { RoomTagsParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerGetRoomTags(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/user/:userId/rooms/:roomId/tags",
    { schema: { params: getRoomTagsParamsSchema } },
    async (request): Promise<GetRoomTagsResponse> => {
      const requester = await ctx.auth(request);
      const { userId, roomId } = request.params as RoomTagsParams;
      requireOwnUser(requester, userId);
      requireRoomId(roomId);
      return { tags: await ctx.app.users.accountData.getTags(userId, roomId) };
    },
  );
}
