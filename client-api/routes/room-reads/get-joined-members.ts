import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams } from "../../../schemas/client/room-reads/client-event.js";
import type { GetJoinedMembersResponse } from "../../../schemas/client/room-reads/get-joined-members.js";

export function registerGetJoinedMembers(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/joined_members", { schema: { params: roomIdParams } }, async (request): Promise<GetJoinedMembersResponse> => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    return ctx.app.sync.reads.state.joinedMembers(requester, roomId);
  });
}
