import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomEventParams } from "../../../schemas/client/room-reads/client-event.js";
import { getContextQuery, type GetContextQuery } from "../../../schemas/client/room-reads/get-context.js";
import { roomEventFilterParam } from "./filter-param.js";

export function registerGetContext(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/context/:eventId", { schema: { params: roomEventParams, querystring: getContextQuery } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId, eventId } = request.params as { roomId: string; eventId: string };
    const query = request.query as GetContextQuery;
    return ctx.app.sync.reads.timeline.context(requester, roomId, eventId, query.limit, roomEventFilterParam(query.filter));
  });
}
