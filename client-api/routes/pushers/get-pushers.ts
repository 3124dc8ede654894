import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getPushersRoute } from "../../../schemas/client/pushers/pusher-routes.js";

export function registerGetPushers(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getPushersRoute, async (_request, requester) => await ctx.services.pushers.list(requester.userId));
}
