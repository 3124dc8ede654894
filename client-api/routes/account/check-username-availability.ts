import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  checkUsernameAvailabilityQuerySchema,
  type CheckUsernameAvailabilityQuery,
  type CheckUsernameAvailabilityResponse,
} from "../../../schemas/client/account/check-username-availability.js";

export function registerCheckUsernameAvailability(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/register/available",
    { schema: { querystring: checkUsernameAvailabilityQuerySchema } },
    async (request): Promise<CheckUsernameAvailabilityResponse> => {
      // Limited like registration itself, so it cannot be used to enumerate accounts quickly.
      ctx.rateLimit(request.ip);
      const { username } = request.query as CheckUsernameAvailabilityQuery;
      return { available: await ctx.app.users.accounts.checkAvailable(username) };
    },
  );
}
