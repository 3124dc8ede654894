import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomVisibilityParams } from "../../../schemas/client/directory/room-visibility.js";
import type { GetRoomVisibilityResponse } from "../../../schemas/client/directory/get-room-visibility.js";

/** Unauthenticated in the spec: whether a room is published is itself public. */
export function registerGetRoomVisibility(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/directory/list/room/:roomId",
    { schema: { params: roomVisibilityParams } },
    async (request): Promise<GetRoomVisibilityResponse> => {
      ctx.rateLimit(request.ip);
      const { roomId } = request.params as { roomId: string };
      return { visibility: await ctx.app.rooms.directory.visibility(roomId) };
    },
  );
}
