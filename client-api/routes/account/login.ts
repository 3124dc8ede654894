import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { loginRoute } from "../../../schemas/client/account/login.js";
import { wellKnownOf } from "../discovery/get-wellknown.js";

export function registerLogin(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, loginRoute, async ({ body, ip }) => {
    const session = await ctx.services.sessions.login(body, ip);
    return { ...session, home_server: ctx.services.serverName, well_known: wellKnownOf(ctx.services.publicBaseUrl) };
  });
}
