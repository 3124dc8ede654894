import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import {
  getMissingEventsBody,
  type GetMissingEventsRequest,
  type GetMissingEventsResponse,
} from "../../../schemas/federation/rooms/get-missing-events.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";
import { eventIdsInRoom, pdusOfRoom } from "./events-in-room.js";

const DEFAULT_LIMIT = 10;
/** Synapse's ceiling too: a peer that wants more asks again from where it got to. */
const MAX_LIMIT = 100;

/** POST /_matrix/federation/v1/get_missing_events/{roomId}: events between what the peer has and what it saw referenced. */
export function registerGetMissingEvents(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.post<{ Params: RoomParams; Body: GetMissingEventsRequest }>(
    "/_matrix/federation/v1/get_missing_events/:roomId",
    { schema: { params: roomIdParams, body: getMissingEventsBody } },
    async (request): Promise<GetMissingEventsResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      await rooms.reads.requireServerInRoom(origin, roomId);
      const body = request.body;
      const limit = Math.min(Math.max(body.limit ?? DEFAULT_LIMIT, 0), MAX_LIMIT);
      const latest = await eventIdsInRoom(rooms, origin, roomId, body.latest_events);
      if (latest.length === 0) return { events: [] };
      const events = await rooms.reads.missingEvents(origin, roomId, body.earliest_events, latest, limit, body.min_depth ?? 0);
      return { events: pdusOfRoom(events, roomId) };
    },
  );
}
