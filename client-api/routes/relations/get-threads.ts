import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getThreadsRoute } from "../../../schemas/client/relations/get-threads.js";

export function registerGetThreads(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getThreadsRoute, async ({ params, query }, requester) =>
    ctx.services.relations.threads(requester, params.roomId, { include: query.include, from: query.from, limit: query.limit }),
  );
}
