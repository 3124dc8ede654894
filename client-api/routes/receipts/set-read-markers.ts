import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { setReadMarkersBody, setReadMarkersParams, type SetReadMarkersRequest } from "../../../schemas/client/receipts/set-read-markers.js";

export function registerSetReadMarkers(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/rooms/:roomId/read_markers", { schema: { params: setReadMarkersParams, body: setReadMarkersBody } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    const body = request.body as SetReadMarkersRequest;
    ctx.rateLimit(requester.userId);
    await ctx.app.edus.receipts.setReadMarkers(requester.userId, roomId, {
      fullyRead: body["m.fully_read"],
      read: body["m.read"],
      readPrivate: body["m.read.private"],
    });
    ctx.userWasActive(requester.userId);
    return {};
  });
}
