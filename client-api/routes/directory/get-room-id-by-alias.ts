import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomAliasParams, type RoomAliasParams } from "../../../schemas/client/directory/room-alias-params.js";
import type { GetRoomIdByAliasResponse } from "../../../schemas/client/directory/get-room-id-by-alias.js";

/** The spec asks no access token here: resolving an alias is how strangers find a room to join. */
export function registerGetRoomIdByAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/directory/room/:roomAlias",
    { schema: { params: roomAliasParams } },
    async (request): Promise<GetRoomIdByAliasResponse> => {
      ctx.rateLimit(request.ip);
      const { roomAlias } = request.params as RoomAliasParams;
      return ctx.app.rooms.directory.resolveAlias(roomAlias);
    },
  );
}
