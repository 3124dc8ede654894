import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getEventRoute } from "../../../schemas/client/room-reads/get-event.js";

export function registerGetEvent(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getEventRoute, async ({ params }, requester) => ctx.services.roomState.event(requester, params.roomId, params.eventId));
}
