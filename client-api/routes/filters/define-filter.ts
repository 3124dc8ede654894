import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import {
  defineFilterBodySchema,
  filterUserParamsSchema,
  type DefineFilterResponse,
  type Filter,
  type FilterUserParams,
} from "../../../schemas/client/filters/define-filter.js";

export function registerDefineFilter(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_matrix/client/v3/user/:userId/filter",
    { schema: { params: filterUserParamsSchema, body: defineFilterBodySchema } },
    async (request): Promise<DefineFilterResponse> => {
      const requester = await ctx.auth(request);
      const { userId } = request.params as FilterUserParams;
      if (requester.userId !== userId) throw errors.forbidden("Cannot create filters for other users");
      ctx.rateLimit(requester.userId);
      return { filter_id: await ctx.app.users.filters.create(userId, request.body as Filter as Record<string, unknown>) };
    },
  );
}
