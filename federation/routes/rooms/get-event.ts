import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { getEventParams, type GetEventParams, type GetEventResponse } from "../../../schemas/federation/rooms/get-event.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/event/{eventId}: one PDU, for a server in its room. */
export function registerGetEvent(app: FastifyInstance, { rooms, serverName, clock }: Pick<FederationApiServices, "rooms" | "serverName" | "clock">): void {
  app.get<{ Params: GetEventParams }>("/_matrix/federation/v1/event/:eventId", { schema: { params: getEventParams } }, async (request): Promise<GetEventResponse> => {
    const origin = requireFederationOrigin(request);
    const { pdu, roomId } = await rooms.reads.event(origin, request.params.eventId);
    await rooms.acls.requireAllowed(origin, roomId);
    return { origin: serverName, origin_server_ts: clock.now(), pdus: [pdu] };
  });
}
