import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { redactBody, redactParams, redactWithoutTxnParams } from "../../../schemas/client/rooms/redact.js";

export function registerRedactEvent(app: FastifyInstance, ctx: ClientApiContext): void {
  const redact = async (request: FastifyRequest) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomId, eventId, txnId } = request.params as { roomId: string; eventId: string; txnId?: string };
    const { reason } = (request.body ?? {}) as { reason?: string };
    return { event_id: await ctx.app.rooms.service.redact(requester, roomId, eventId, txnId, reason) };
  };
  app.put("/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId", { schema: { params: redactParams, body: redactBody } }, redact);
  // The older form without a txnId, which Synapse still serves: every request is a new redaction.
  app.post("/_matrix/client/v3/rooms/:roomId/redact/:eventId", { schema: { params: redactWithoutTxnParams, body: redactBody } }, redact);
}
