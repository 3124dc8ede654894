import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomAliasParams, type RoomAliasParams } from "../../../schemas/client/directory/room-alias-params.js";
import type { DeleteRoomAliasResponse } from "../../../schemas/client/directory/delete-room-alias.js";

export function registerDeleteRoomAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  app.delete(
    "/_matrix/client/v3/directory/room/:roomAlias",
    { schema: { params: roomAliasParams } },
    async (request): Promise<DeleteRoomAliasResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { roomAlias } = request.params as RoomAliasParams;
      await ctx.app.rooms.directory.deleteAlias(requester, roomAlias);
      return {};
    },
  );
}
