import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setReadMarkersRoute } from "../../../schemas/client/receipts/set-read-markers.js";

export function registerSetReadMarkers(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setReadMarkersRoute, async ({ params, body }, requester) => {
    await ctx.services.receipts.setReadMarkers(requester.userId, params.roomId, {
      fullyRead: body["m.fully_read"],
      read: body["m.read"],
      readPrivate: body["m.read.private"],
    });
    ctx.userWasActive(requester.userId);
    return {};
  });
}
