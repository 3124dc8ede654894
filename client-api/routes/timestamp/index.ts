import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { timestampToEventRoute } from "../../../schemas/client/timestamp/timestamp-to-event.js";

/** GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event. */
export function registerTimestampRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, timestampToEventRoute, async ({ params, query }, requester) =>
    ctx.services.timestamps.forClient(requester, params.roomId, query.ts, query.dir),
  );
}
