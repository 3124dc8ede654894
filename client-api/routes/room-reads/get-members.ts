import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams } from "../../../schemas/client/room-reads/client-event.js";
import { getMembersQuery, type GetMembersQuery, type GetMembersResponse } from "../../../schemas/client/room-reads/get-members.js";
import type { GetJoinedMembersResponse } from "../../../schemas/client/room-reads/get-joined-members.js";
import type { GetJoinedRoomsResponse } from "../../../schemas/client/room-reads/get-joined-rooms.js";

export function registerGetMembers(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/members", { schema: { params: roomIdParams, querystring: getMembersQuery } }, async (request): Promise<GetMembersResponse> => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    return { chunk: await ctx.app.sync.reads.state.members(requester, roomId, request.query as GetMembersQuery) };
  });
  app.get("/_matrix/client/v3/rooms/:roomId/joined_members", { schema: { params: roomIdParams } }, async (request): Promise<GetJoinedMembersResponse> => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    return ctx.app.sync.reads.state.joinedMembers(requester, roomId);
  });
  app.get("/_matrix/client/v3/joined_rooms", async (request): Promise<GetJoinedRoomsResponse> => {
    const requester = await ctx.auth(request);
    return { joined_rooms: await ctx.app.sync.reads.state.joinedRooms(requester) };
  });
}
