import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { GetJoinedRoomsResponse } from "../../../schemas/client/room-reads/get-joined-rooms.js";

export function registerGetJoinedRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/joined_rooms", async (request): Promise<GetJoinedRoomsResponse> => {
    const requester = await ctx.auth(request);
    return { joined_rooms: await ctx.app.sync.reads.state.joinedRooms(requester) };
  });
}
