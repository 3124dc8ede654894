import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { logoutAllRoute } from "../../../schemas/client/account/logout-all.js";

export function registerLogoutAll(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, logoutAllRoute, async (_request, requester) => {
    await ctx.services.sessions.logoutAll(requester);
    return {};
  });
}
