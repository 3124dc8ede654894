import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { redactBody, redactParams } from "../../../schemas/client/rooms/redact.js";

export function registerRedactEvent(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put("/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId", { schema: { params: redactParams, body: redactBody } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomId, eventId, txnId } = request.params as { roomId: string; eventId: string; txnId: string };
    const { reason } = request.body as { reason?: string };
    return { event_id: await ctx.app.rooms.service.redact(requester, roomId, eventId, txnId, reason) };
  });
}
