import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { eventContentBody, sendEventParams, sendEventWithoutTxnParams } from "../../../schemas/client/rooms/send-event.js";
import type { JsonObject } from "../../../homeserver/events/pdu.js";

export function registerSendMessage(app: FastifyInstance, ctx: ClientApiContext): void {
  const send = async (request: FastifyRequest) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomId, eventType, txnId } = request.params as { roomId: string; eventType: string; txnId?: string };
    const eventId = await ctx.app.rooms.service.sendMessage(requester, roomId, eventType, request.body as JsonObject, txnId);
    ctx.userWasActive(requester.userId);
    return { event_id: eventId };
  };
  app.put("/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId", { schema: { params: sendEventParams, body: eventContentBody } }, send);
  // Without a txnId nothing deduplicates a retry: each request is a new event (Synapse serves this too).
  app.post("/_matrix/client/v3/rooms/:roomId/send/:eventType", { schema: { params: sendEventWithoutTxnParams, body: eventContentBody } }, send);
}
