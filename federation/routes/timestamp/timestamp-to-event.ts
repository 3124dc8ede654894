import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import { timestampToEventQuery, type TimestampToEventQuery, type TimestampToEventResponse } from "../../../schemas/federation/timestamp/timestamp-to-event.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/timestamp_to_event/{roomId}: the closest event we hold, for a server in the room. */
export function registerTimestampToEvent(app: FastifyInstance, { rooms, timestamps }: Pick<FederationApiServices, "rooms" | "timestamps">): void {
  app.get<{ Params: RoomParams; Querystring: TimestampToEventQuery }>(
    "/_matrix/federation/v1/timestamp_to_event/:roomId",
    { schema: { params: roomIdParams, querystring: timestampToEventQuery } },
    async (request): Promise<TimestampToEventResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      await rooms.reads.requireServerInRoom(origin, roomId);
      return timestamps.forServer(roomId, request.query.ts, request.query.dir);
    },
  );
}
