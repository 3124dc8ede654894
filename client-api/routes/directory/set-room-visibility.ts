import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomVisibilityParams } from "../../../schemas/client/directory/room-visibility.js";
import {
  setRoomVisibilityBody,
  type SetRoomVisibilityRequest,
  type SetRoomVisibilityResponse,
} from "../../../schemas/client/directory/set-room-visibility.js";

export function registerSetRoomVisibility(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/directory/list/room/:roomId",
    { schema: { params: roomVisibilityParams, body: setRoomVisibilityBody } },
    async (request): Promise<SetRoomVisibilityResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { roomId } = request.params as { roomId: string };
      // The spec's default; an empty or missing body means "publish".
      const visibility = (request.body as SetRoomVisibilityRequest | undefined)?.visibility ?? "public";
      await ctx.app.rooms.directory.setVisibility(requester, roomId, visibility);
      return {};
    },
  );
}
