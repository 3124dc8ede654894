import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setRoomStateRoute, setRoomStateWithKeyRoute } from "../../../schemas/client/rooms/send-event.js";

/** PUT state with and without a state key (the empty key may be omitted from the path). */
export function registerSetRoomState(app: FastifyInstance, ctx: ClientApiContext): void {
  for (const route of [setRoomStateRoute, setRoomStateWithKeyRoute]) {
    defineRoute(app, ctx.guards, route, async ({ params, body }, requester) => ({
      event_id: await ctx.services.rooms.sendState(requester, params.roomId, params.eventType, params.stateKey ?? "", body),
    }));
  }
}
