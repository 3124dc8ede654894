import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/publicRooms (no authentication) */
export const getPublicRoomsQuery = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 0 },
    since: { type: "string" },
    server: { type: "string", minLength: 1 },
  },
} as const;

export interface GetPublicRoomsQuery {
  limit?: number;
  since?: string;
  server?: string;
}

/** One entry of the published room directory. */
export interface PublishedRoomsChunk {
  room_id: string;
  name?: string;
  topic?: string;
  canonical_alias?: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  avatar_url?: string;
  join_rule?: string;
  room_type?: string;
}

export interface PublicRoomsResponse {
  chunk: PublishedRoomsChunk[];
  next_batch?: string;
  prev_batch?: string;
  total_room_count_estimate?: number;
}

/**
 * The spec asks no access token here. One that is sent is still checked, as Synapse does, so a client
 * whose session has ended learns it (401) instead of silently browsing as a guest.
 */
export const getPublicRoomsRoute: ClientRoute<"optional", { query: GetPublicRoomsQuery; response: PublicRoomsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/publicRooms",
  auth: "optional",
  rateLimited: true,
  query: getPublicRoomsQuery,
};
