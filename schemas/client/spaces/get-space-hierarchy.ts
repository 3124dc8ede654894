import type { ClientRoute } from "../client-route.js";
import type { SpaceHierarchyRoom } from "./space-hierarchy-room.js";

/** GET /_matrix/client/v1/rooms/{roomId}/hierarchy */
export const spaceHierarchyParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: { type: "string", minLength: 1 } },
} as const;

/** The spec's bounds: a limit above zero and a depth of zero or more; anything else is M_INVALID_PARAM. */
export const spaceHierarchyQuery = {
  type: "object",
  properties: {
    suggested_only: { type: "boolean" },
    limit: { type: "integer", minimum: 1 },
    max_depth: { type: "integer", minimum: 0 },
    from: { type: "string", minLength: 1 },
  },
} as const;

export interface SpaceHierarchyParams {
  roomId: string;
}

export interface SpaceHierarchyQuery {
  suggested_only?: boolean;
  limit?: number;
  max_depth?: number;
  from?: string;
}

export interface SpaceHierarchyResponse {
  rooms: SpaceHierarchyRoom[];
  next_batch?: string;
}

export const getSpaceHierarchyRoute: ClientRoute<
  "required",
  { params: SpaceHierarchyParams; query: SpaceHierarchyQuery; response: SpaceHierarchyResponse }
> = {
  method: "GET",
  path: "/_matrix/client/v1/rooms/:roomId/hierarchy",
  auth: "required",
  rateLimited: true,
  params: spaceHierarchyParams,
  query: spaceHierarchyQuery,
};
