import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../homeserver/app/app-context.js";
import { getEventParams, type GetEventParams, type GetEventResponse } from "../../../schemas/federation/rooms/get-event.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";
import { federationRooms } from "../federation-rooms.js";

/** GET /_matrix/federation/v1/event/{eventId}: one PDU, for a server in its room. */
export function registerGetEvent(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: GetEventParams }>("/_matrix/federation/v1/event/:eventId", { schema: { params: getEventParams } }, async (request): Promise<GetEventResponse> => {
    const origin = requireFederationOrigin(request);
    const rooms = federationRooms(ctx);
    const { pdu, roomId } = await rooms.reads.event(origin, request.params.eventId);
    await rooms.acls.requireAllowed(origin, roomId);
    return { origin: ctx.serverName, origin_server_ts: ctx.clock.now(), pdus: [pdu] };
  });
}
