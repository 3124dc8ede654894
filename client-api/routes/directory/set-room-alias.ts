import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomAliasParams, type RoomAliasParams } from "../../../schemas/client/directory/room-alias-params.js";
import { setRoomAliasBody, type SetRoomAliasRequest, type SetRoomAliasResponse } from "../../../schemas/client/directory/set-room-alias.js";

export function registerSetRoomAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/directory/room/:roomAlias",
    { schema: { params: roomAliasParams, body: setRoomAliasBody } },
    async (request): Promise<SetRoomAliasResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { roomAlias } = request.params as RoomAliasParams;
      await ctx.app.rooms.directory.createAlias(requester, roomAlias, (request.body as SetRoomAliasRequest).room_id);
      return {};
    },
  );
}
