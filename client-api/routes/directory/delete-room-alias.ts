import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deleteRoomAliasRoute } from "../../../schemas/client/directory/delete-room-alias.js";

export function registerDeleteRoomAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deleteRoomAliasRoute, async ({ params }, requester) => {
    await ctx.services.directory.deleteAlias(requester, params.roomAlias);
    return {};
  });
}
