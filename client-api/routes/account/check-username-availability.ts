import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { checkUsernameAvailabilityRoute } from "../../../schemas/client/account/check-username-availability.js";

export function registerCheckUsernameAvailability(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, checkUsernameAvailabilityRoute, async ({ query }) => ({
    available: await ctx.services.accounts.checkAvailable(query.username),
  }));
}
