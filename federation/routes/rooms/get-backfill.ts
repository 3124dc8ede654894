import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import { backfillQuery, type BackfillQuery, type BackfillResponse } from "../../../schemas/federation/rooms/get-backfill.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";
import { eventIdsInRoom, pdusOfRoom } from "./events-in-room.js";

const MAX_LIMIT = 100;

/** GET /_matrix/federation/v1/backfill/{roomId}?v=&limit=: the given events and those before them, newest first. */
export function registerGetBackfill(app: FastifyInstance, { rooms, serverName, clock }: Pick<FederationApiServices, "rooms" | "serverName" | "clock">): void {
  app.get<{ Params: RoomParams; Querystring: BackfillQuery }>(
    "/_matrix/federation/v1/backfill/:roomId",
    { schema: { params: roomIdParams, querystring: backfillQuery } },
    async (request): Promise<BackfillResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      await rooms.reads.requireServerInRoom(origin, roomId);
      const from = await eventIdsInRoom(rooms, origin, roomId, request.query.v);
      const pdus = from.length === 0 ? [] : await rooms.reads.backfill(origin, roomId, from, Math.min(request.query.limit, MAX_LIMIT));
      return { origin: serverName, origin_server_ts: clock.now(), pdus: pdusOfRoom(pdus, roomId) };
    },
  );
}
