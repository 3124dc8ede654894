import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams } from "../../../schemas/client/room-reads/client-event.js";
import { getMembersQuery, type GetMembersQuery, type GetMembersResponse } from "../../../schemas/client/room-reads/get-members.js";

export function registerGetMembers(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/members", { schema: { params: roomIdParams, querystring: getMembersQuery } }, async (request): Promise<GetMembersResponse> => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    return { chunk: await ctx.app.sync.reads.state.members(requester, roomId, request.query as GetMembersQuery) };
  });
}
