import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { getFilterRoute } from "../../../schemas/client/filters/get-filter.js";

export function registerGetFilter(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getFilterRoute, async ({ params }, requester) => {
    const { userId, filterId } = params;
    // Another user's filters are answered like unknown ones, so their ids reveal nothing.
    const filter = requester.userId === userId ? await ctx.services.filters.get(userId, filterId) : undefined;
    if (!filter) throw errors.notFound("Filter not found");
    return filter;
  });
}
