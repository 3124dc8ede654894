import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { roomIdParams, type RoomParams } from "../../../schemas/federation/pdu.js";
import {
  federationHierarchyQuery,
  type FederationHierarchyQuery,
  type FederationHierarchyResponse,
} from "../../../schemas/federation/hierarchy/get-hierarchy.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/hierarchy/{roomId}: one of our spaces and the children we hold, for the asking server to filter. */
export function registerGetHierarchy(app: FastifyInstance, { rooms, hierarchy }: Pick<FederationApiServices, "rooms" | "hierarchy">): void {
  app.get<{ Params: RoomParams; Querystring: FederationHierarchyQuery }>(
    "/_matrix/federation/v1/hierarchy/:roomId",
    { schema: { params: roomIdParams, querystring: federationHierarchyQuery } },
    async (request): Promise<FederationHierarchyResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId } = request.params;
      // A server the space's ACL denies learns nothing of it.
      await rooms.acls.requireAllowed(origin, roomId);
      return hierarchy.forServer(origin, roomId, request.query.suggested_only ?? false);
    },
  );
}
