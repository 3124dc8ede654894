import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams } from "../../../schemas/client/room-reads/client-event.js";
import { getMessagesQuery, type GetMessagesQuery } from "../../../schemas/client/room-reads/get-messages.js";
import { roomEventFilterParam } from "./filter-param.js";

export function registerGetMessages(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/messages", { schema: { params: roomIdParams, querystring: getMessagesQuery } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    const query = request.query as GetMessagesQuery;
    return ctx.app.sync.reads.timeline.messages(requester, roomId, {
      from: query.from,
      to: query.to,
      dir: query.dir,
      limit: query.limit,
      filter: roomEventFilterParam(query.filter),
    });
  });
}
