import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setPresenceRoute } from "../../../schemas/client/presence/set-presence.js";

export function registerSetPresence(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setPresenceRoute, async ({ params, body }, requester) => {
    await ctx.services.presence.setFromClient(requester, params.userId, body.presence, body.status_msg);
    return {};
  });
}
