import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setPusherRoute } from "../../../schemas/client/pushers/pusher-routes.js";

export function registerSetPusher(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setPusherRoute, async ({ body }, requester) => await ctx.services.pushers.set(requester, body));
}
