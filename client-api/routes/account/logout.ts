import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { logoutRoute } from "../../../schemas/client/account/logout.js";

export function registerLogout(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, logoutRoute, async (_request, requester) => {
    await ctx.services.sessions.logout(requester);
    return {};
  });
}
