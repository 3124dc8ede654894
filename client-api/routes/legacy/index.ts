import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { longPollWaits } from "../../http/long-poll-waits.js";
import { getEventsRoute } from "../../../schemas/client/legacy/get-events.js";
import { getOneEventRoute } from "../../../schemas/client/legacy/get-one-event.js";
import { initialSyncRoute } from "../../../schemas/client/legacy/initial-sync.js";
import { roomInitialSyncRoute } from "../../../schemas/client/legacy/room-initial-sync.js";

/**
 * The deprecated pre-/sync API that Synapse still serves. GET /events waits like /sync does: it ends early
 * when the client goes away or the server shuts down, answering with no events and the same token.
 */
export function registerLegacyRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  const waitFor = longPollWaits(app);
  defineRoute(app, ctx.guards, getEventsRoute, async ({ query }, requester, reply) =>
    waitFor(reply, (signal) => ctx.services.legacyEvents.events(requester, { from: query.from, timeoutMs: query.timeout, roomId: query.room_id, signal })),
  );
  defineRoute(app, ctx.guards, getOneEventRoute, async ({ params }, requester) => ctx.services.legacyEvents.event(requester, params.eventId));
  defineRoute(app, ctx.guards, initialSyncRoute, async ({ query }, requester) => ctx.services.legacyInitialSync.initialSync(requester, query));
  defineRoute(app, ctx.guards, roomInitialSyncRoute, async ({ params }, requester) =>
    ctx.services.legacyInitialSync.roomInitialSync(requester, params.roomId),
  );
}
