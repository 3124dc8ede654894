import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getSpaceHierarchyRoute } from "../../../schemas/client/spaces/get-space-hierarchy.js";

export function registerGetSpaceHierarchy(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getSpaceHierarchyRoute, async ({ params, query }, requester) =>
    ctx.services.hierarchy.forClient(requester, params.roomId, {
      suggestedOnly: query.suggested_only ?? false,
      limit: query.limit,
      maxDepth: query.max_depth,
      from: query.from,
    }),
  );
}
