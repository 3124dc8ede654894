import type { ClientRoute } from "../client-route.js";
import type { PublicRoomsResponse } from "./get-public-rooms.js";

/** POST /_matrix/client/v3/publicRooms */
export const queryPublicRoomsQuery = {
  type: "object",
  properties: { server: { type: "string", minLength: 1 } },
} as const;

export const queryPublicRoomsBody = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 0 },
    since: { type: "string" },
    filter: {
      type: "object",
      properties: {
        generic_search_term: { type: "string" },
        room_types: { type: "array", items: { type: ["string", "null"] } },
      },
    },
    include_all_networks: { type: "boolean" },
    third_party_instance_id: { type: "string" },
  },
} as const;

export interface PublicRoomsFilter {
  generic_search_term?: string;
  /** `null` stands for rooms without a type. */
  room_types?: Array<string | null>;
}

export interface QueryPublicRoomsRequest {
  limit?: number;
  since?: string;
  filter?: PublicRoomsFilter;
  include_all_networks?: boolean;
  third_party_instance_id?: string;
}

export interface QueryPublicRoomsQuery {
  server?: string;
}

export const queryPublicRoomsRoute: ClientRoute<
  "required",
  { query: QueryPublicRoomsQuery; body: QueryPublicRoomsRequest; response: PublicRoomsResponse }
> = {
  method: "POST",
  path: "/_matrix/client/v3/publicRooms",
  auth: "required",
  rateLimited: true,
  query: queryPublicRoomsQuery,
  body: queryPublicRoomsBody,
};
