import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  setRoomTagBodySchema,
  setRoomTagParamsSchema,
  type SetRoomTagRequest,
} from "../../../schemas/client/account-data/set-room-tag.js";
import type { RoomTagParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/user/:userId/rooms/:roomId/tags/:tag",
    { schema: { params: setRoomTagParamsSchema, body: setRoomTagBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      const { userId, roomId, tag } = request.params as RoomTagParams;
      requireOwnUser(requester, userId);
      requireRoomId(roomId);
      ctx.rateLimit(requester.userId);
      await ctx.app.users.accountData.putTag(userId, roomId, tag, request.body as SetRoomTagRequest);
      return {};
    },
  );
}
