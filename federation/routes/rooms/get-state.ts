import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import { stateAtEventQuery, type StateAtEventQuery } from "../../../schemas/federation/rooms/get-state-ids.js";
import type { GetStateResponse } from "../../../schemas/federation/rooms/get-state.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/state/{roomId}?event_id=: the state before the event and its auth chain, as PDUs. */
export function registerGetState(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomParams; Querystring: StateAtEventQuery }>(
    "/_matrix/federation/v1/state/:roomId",
    { schema: { params: roomIdParams, querystring: stateAtEventQuery } },
    async (request): Promise<GetStateResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      const { stateIds, authChainIds } = await rooms.reads.stateAt(origin, roomId, request.query.event_id);
      const [pdus, authChain] = await Promise.all([rooms.reads.eventsAsWire(roomId, stateIds), rooms.reads.eventsAsWire(roomId, authChainIds)]);
      return { pdus, auth_chain: authChain };
    },
  );
}
