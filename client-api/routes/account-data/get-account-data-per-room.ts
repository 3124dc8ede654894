import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import {
  getAccountDataPerRoomParamsSchema,
  type GetAccountDataPerRoomResponse,
} from "../../../schemas/client/account-data/get-account-data-per-room.js";
import type { RoomAccountDataParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerGetAccountDataPerRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
    { schema: { params: getAccountDataPerRoomParamsSchema } },
    async (request): Promise<GetAccountDataPerRoomResponse> => {
      const requester = await ctx.auth(request);
      const { userId, roomId, type } = request.params as RoomAccountDataParams;
      requireOwnUser(requester, userId);
      requireRoomId(roomId);
      const content = await ctx.app.users.accountData.get(userId, roomId, type);
      if (content === undefined) throw errors.notFound("Room account data not found");
      return content;
    },
  );
}
