import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { searchRoute } from "../../../schemas/client/search/search.js";

export function registerSearch(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, searchRoute, async ({ body, query }, requester) => ctx.services.search.search(requester, body, query.next_batch));
}
