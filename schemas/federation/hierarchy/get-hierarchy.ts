import type { HierarchyRoomSummary, SpaceHierarchyRoom } from "../../client/spaces/space-hierarchy-room.js";

/** GET /_matrix/federation/v1/hierarchy/{roomId}?suggested_only= */
export const federationHierarchyQuery = {
  type: "object",
  properties: { suggested_only: { type: "boolean" } },
} as const;

export interface FederationHierarchyQuery {
  suggested_only?: boolean;
}

/** Not paginated: the space, each child this server holds and the asking server may see, and those it may not. */
export interface FederationHierarchyResponse {
  room: SpaceHierarchyRoom;
  children: HierarchyRoomSummary[];
  inaccessible_children: string[];
}
