import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getNotificationsRoute } from "../../../schemas/client/push-rules/get-notifications.js";

export function registerGetNotifications(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getNotificationsRoute, async ({ query }, requester) => await ctx.services.notifications.list(requester.userId, query));
}
