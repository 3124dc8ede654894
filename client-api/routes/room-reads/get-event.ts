import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { getEventParams } from "../../../schemas/client/room-reads/get-event.js";

export function registerGetEvent(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/event/:eventId", { schema: { params: getEventParams } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId, eventId } = request.params as { roomId: string; eventId: string };
    return ctx.app.sync.reads.state.event(requester, roomId, eventId);
  });
}
