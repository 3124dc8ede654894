import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { eventContentBody, stateEventParams } from "../../../schemas/client/rooms/send-event.js";
import type { JsonObject } from "../../../homeserver/events/pdu.js";

/** PUT state with and without a state key (the empty key may be omitted from the path). */
export function registerSetRoomState(app: FastifyInstance, ctx: ClientApiContext): void {
  const handler = async (request: FastifyRequest) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomId, eventType, stateKey } = request.params as { roomId: string; eventType: string; stateKey?: string };
    const eventId = await ctx.app.rooms.service.sendState(requester, roomId, eventType, stateKey ?? "", request.body as JsonObject);
    return { event_id: eventId };
  };
  const schema = { params: stateEventParams, body: eventContentBody };
  app.put("/_matrix/client/v3/rooms/:roomId/state/:eventType", { schema }, handler);
  app.put("/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey", { schema }, handler);
}
