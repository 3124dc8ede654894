import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { queryKeysRoute } from "../../../schemas/client/e2e-keys/query-keys.js";

export function registerQueryKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, queryKeysRoute, async (request, requester) => ctx.services.keyDistribution.query(request.body, requester.userId));
}
