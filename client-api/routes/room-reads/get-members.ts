import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getMembersRoute } from "../../../schemas/client/room-reads/get-members.js";

export function registerGetMembers(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getMembersRoute, async ({ params, query }, requester) => ({
    chunk: await ctx.services.roomState.members(requester, params.roomId, query),
  }));
}
