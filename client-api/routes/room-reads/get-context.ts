import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getContextRoute } from "../../../schemas/client/room-reads/get-context.js";
import { roomEventFilterParam } from "./filter-param.js";

export function registerGetContext(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getContextRoute, async ({ params, query }, requester) =>
    ctx.services.timeline.context(requester, params.roomId, params.eventId, query.limit, roomEventFilterParam(query.filter)),
  );
}
