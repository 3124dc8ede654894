/** GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver= (makeJoin): a join template. */
export interface MakeMembershipResponse {
  room_version: string;
  /** The template: the joining server fills in origin_server_ts, hashes and signatures. */
  event: Record<string, unknown>;
}

export const makeJoinQuery = {
  type: "object",
  properties: { ver: { type: "array", items: { type: "string" } } },
} as const;

export interface MakeJoinQuery {
  /** The room versions the joining server supports; the spec's default when absent is ["1"]. */
  ver?: string[];
}
