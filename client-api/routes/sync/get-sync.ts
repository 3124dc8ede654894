import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { longPollWaits } from "../../http/long-poll-waits.js";
import { getSyncRoute } from "../../../schemas/client/sync/get-sync.js";

/**
 * GET /sync as a long-poll; the wait ends early when the client goes away, and when the server shuts down:
 * then the client gets the usual response for a wait that found nothing, whose next_batch it resumes from.
 */
export function registerGetSync(app: FastifyInstance, ctx: ClientApiContext): void {
  const waitFor = longPollWaits(app);
  defineRoute(app, ctx.guards, getSyncRoute, async ({ query }, requester, reply) =>
    waitFor(reply, (signal) =>
      ctx.services.sync.sync(requester, {
        since: query.since,
        timeoutMs: query.timeout,
        fullState: query.full_state,
        useStateAfter: query.use_state_after,
        filter: query.filter,
        setPresence: query.set_presence,
        signal,
      }),
    ),
  );
}
