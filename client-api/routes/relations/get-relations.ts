import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import {
  getRelatingEventsRoute,
  getRelatingEventsWithRelTypeAndEventTypeRoute,
  getRelatingEventsWithRelTypeRoute,
} from "../../../schemas/client/relations/get-relations.js";

/** GET /relations/{eventId}, /relations/{eventId}/{relType} and /relations/{eventId}/{relType}/{eventType}. */
export function registerGetRelations(app: FastifyInstance, ctx: ClientApiContext): void {
  for (const route of [getRelatingEventsRoute, getRelatingEventsWithRelTypeRoute, getRelatingEventsWithRelTypeAndEventTypeRoute]) {
    defineRoute(app, ctx.guards, route, async ({ params, query }, requester) =>
      ctx.services.relations.relations(requester, params.roomId, params.eventId, {
        relType: params.relType,
        eventType: params.eventType,
        from: query.from,
        to: query.to,
        limit: query.limit,
        dir: query.dir,
        recurse: query.recurse,
      }),
    );
  }
}
