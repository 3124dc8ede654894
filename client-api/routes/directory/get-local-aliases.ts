import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getLocalAliasesRoute } from "../../../schemas/client/directory/get-local-aliases.js";

export function registerGetLocalAliases(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getLocalAliasesRoute, async ({ params }, requester) => ({
    aliases: await ctx.services.directory.localAliases(requester, params.roomId),
  }));
}
