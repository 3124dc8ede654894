import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getJoinedMembersRoute } from "../../../schemas/client/room-reads/get-joined-members.js";

export function registerGetJoinedMembers(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getJoinedMembersRoute, async ({ params }, requester) => ctx.services.roomState.joinedMembers(requester, params.roomId));
}
