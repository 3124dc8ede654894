import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getMessagesRoute } from "../../../schemas/client/room-reads/get-messages.js";
import { roomEventFilterParam } from "./filter-param.js";

export function registerGetMessages(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getMessagesRoute, async ({ params, query }, requester) =>
    ctx.services.timeline.messages(requester, params.roomId, {
      from: query.from,
      to: query.to,
      dir: query.dir,
      limit: query.limit,
      filter: roomEventFilterParam(query.filter),
    }),
  );
}
