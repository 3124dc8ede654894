import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import { stateAtEventQuery, type GetStateIdsResponse, type StateAtEventQuery } from "../../../schemas/federation/rooms/get-state-ids.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/state_ids/{roomId}?event_id=: the ids of the state before the event and of its auth chain. */
export function registerGetStateIds(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomParams; Querystring: StateAtEventQuery }>(
    "/_matrix/federation/v1/state_ids/:roomId",
    { schema: { params: roomIdParams, querystring: stateAtEventQuery } },
    async (request): Promise<GetStateIdsResponse> => {
      const origin = requireFederationOrigin(request);
      await rooms.acls.requireAllowed(origin, request.params.roomId);
      const { stateIds, authChainIds } = await rooms.reads.stateAt(origin, request.params.roomId, request.query.event_id);
      return { pdu_ids: stateIds, auth_chain_ids: authChainIds };
    },
  );
}
