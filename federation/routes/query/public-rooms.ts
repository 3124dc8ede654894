import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  getPublicRoomsFederationQuery,
  queryPublicRoomsFederationBody,
  type GetPublicRoomsFederationQuery,
  type PublicRoomsResponse,
  type QueryPublicRoomsRequest,
} from "../../../schemas/federation/query/public-rooms.js";

/**
 * GET and POST /_matrix/federation/v1/publicRooms: our published rooms, as the client API lists them. We
 * bridge no third-party networks, so a request for one gets an empty list.
 */
export function registerPublicRooms(app: FastifyInstance, { directory }: Pick<FederationApiServices, "directory">): void {
  const list = (request: { limit?: number; since?: string; filter?: QueryPublicRoomsRequest["filter"]; third_party_instance_id?: string }): Promise<PublicRoomsResponse> => {
    if (request.third_party_instance_id !== undefined) return Promise.resolve({ chunk: [], total_room_count_estimate: 0 });
    return directory.publicRooms({ limit: request.limit, since: request.since, filter: request.filter });
  };
  app.get<{ Querystring: GetPublicRoomsFederationQuery }>(
    "/_matrix/federation/v1/publicRooms",
    { schema: { querystring: getPublicRoomsFederationQuery } },
    async (request) => list(request.query),
  );
  app.post<{ Body: QueryPublicRoomsRequest }>(
    "/_matrix/federation/v1/publicRooms",
    { schema: { body: queryPublicRoomsFederationBody } },
    async (request) => list(request.body ?? {}),
  );
}
