import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getPresenceRoute } from "../../../schemas/client/presence/get-presence.js";

export function registerGetPresence(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getPresenceRoute, async ({ params }, requester) => ctx.services.presence.getFor(requester, params.userId));
}
