import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import { getFilterParamsSchema, type GetFilterParams, type GetFilterResponse } from "../../../schemas/client/filters/get-filter.js";

export function registerGetFilter(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/user/:userId/filter/:filterId",
    { schema: { params: getFilterParamsSchema } },
    async (request): Promise<GetFilterResponse> => {
      const requester = await ctx.auth(request);
      const { userId, filterId } = request.params as GetFilterParams;
      // Another user's filters are answered like unknown ones, so their ids reveal nothing.
      const filter = requester.userId === userId ? await ctx.app.users.filters.get(userId, filterId) : undefined;
      if (!filter) throw errors.notFound("Filter not found");
      return filter;
    },
  );
}
