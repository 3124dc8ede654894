import type { PublicRoomsResponse } from "../../client/directory/get-public-rooms.js";
import type { QueryPublicRoomsRequest } from "../../client/directory/query-public-rooms.js";

/** GET and POST /_matrix/federation/v1/publicRooms (getPublicRooms, queryPublicRooms): the same listing as the client API. */
export type { PublicRoomsResponse, QueryPublicRoomsRequest };

export const getPublicRoomsFederationQuery = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 0 },
    since: { type: "string" },
    include_all_networks: { type: "boolean" },
    third_party_instance_id: { type: "string" },
  },
} as const;

export interface GetPublicRoomsFederationQuery {
  limit?: number;
  since?: string;
  include_all_networks?: boolean;
  third_party_instance_id?: string;
}

export { queryPublicRoomsBody as queryPublicRoomsFederationBody } from "../../client/directory/query-public-rooms.js";
