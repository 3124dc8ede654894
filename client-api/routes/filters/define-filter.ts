import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineCheckedRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { defineFilterRoute } from "../../../schemas/client/filters/define-filter.js";

export function registerDefineFilter(app: FastifyInstance, ctx: ClientApiContext): void {
  defineCheckedRoute(
    app,
    ctx.guards,
    defineFilterRoute,
    ({ params }, requester) => {
      if (requester.userId !== params.userId) throw errors.forbidden("Cannot create filters for other users");
    },
    async ({ params, body }) => ({ filter_id: await ctx.services.filters.create(params.userId, body) }),
  );
}
