import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  setAccountDataPerRoomBodySchema,
  setAccountDataPerRoomParamsSchema,
  type SetAccountDataPerRoomRequest,
} from "../../../schemas/client/account-data/set-account-data-per-room.js";
import type { RoomAccountDataParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetAccountDataPerRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
    { schema: { params: setAccountDataPerRoomParamsSchema, body: setAccountDataPerRoomBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      const { userId, roomId, type } = request.params as RoomAccountDataParams;
      requireOwnUser(requester, userId);
      requireRoomId(roomId);
      ctx.rateLimit(requester.userId);
      await ctx.app.users.accountData.setFromClient(userId, roomId, type, request.body as SetAccountDataPerRoomRequest);
      return {};
    },
  );
}
