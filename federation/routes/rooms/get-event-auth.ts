import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { errors } from "../../../homeserver/errors.js";
import { roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import type { GetEventAuthResponse } from "../../../schemas/federation/rooms/get-event-auth.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}: the event's full auth chain. */
export function registerGetEventAuth(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomAndEventParams }>(
    "/_matrix/federation/v1/event_auth/:roomId/:eventId",
    { schema: { params: roomAndEventParams } },
    async (request): Promise<GetEventAuthResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, eventId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      // Also proves the origin may see the event's room, and that the event is in the room the path names.
      const event = await rooms.reads.event(origin, eventId);
      if (event.roomId !== roomId) throw errors.notFound("Unknown event");
      // reads.authChain walks from the event's auth events without counting them; the chain includes them.
      const own = Array.isArray(event.pdu.auth_events) ? event.pdu.auth_events.map((ref) => (Array.isArray(ref) ? ref[0] : ref)) : [];
      const ids = new Set([...own.filter((id): id is string => typeof id === "string"), ...(await rooms.reads.authChain(origin, roomId, eventId))]);
      return { auth_chain: await rooms.reads.eventsAsWire(roomId, [...ids]) };
    },
  );
}
