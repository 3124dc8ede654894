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
