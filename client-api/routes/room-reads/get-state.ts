import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getStateEventRoute, getStateEventWithKeyRoute, getStateRoute } from "../../../schemas/client/room-reads/get-state.js";

/** GET /state, and one state event with or without a state key (the empty key may be left out of the path). */
export function registerGetState(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getStateRoute, async ({ params }, requester) => ctx.services.roomState.state(requester, params.roomId));
  for (const route of [getStateEventRoute, getStateEventWithKeyRoute]) {
    defineRoute(app, ctx.guards, route, async ({ params, query }, requester) => {
      const event = await ctx.services.roomState.stateEvent(requester, params.roomId, params.eventType, params.stateKey ?? "");
      return query.format === "event" ? event : event.content;
    });
  }
}
