import type { PublishedRoomsChunk } from "../directory/get-public-rooms.js";
import type { JsonObject } from "../common.js";

/** An m.space.child event as the hierarchy endpoints show it: stripped state plus its origin_server_ts. */
export interface SpaceChildState {
  type: "m.space.child";
  state_key: string;
  content: JsonObject;
  sender: string;
  origin_server_ts: number;
}

/** The room summary the hierarchy endpoints share (spec: RoomSummary), with the fields added in v1.15. */
export interface HierarchyRoomSummary extends PublishedRoomsChunk {
  room_version?: string;
  encryption?: "m.megolm.v1.aes-sha2";
  /** Only over federation: the rooms a restricted room's join rule names, so the asking server can filter. */
  allowed_room_ids?: string[];
}

/** SpaceHierarchyRoomsChunk (client) and SpaceHierarchyParentRoom (federation): a summary and the room's children. */
export interface SpaceHierarchyRoom extends HierarchyRoomSummary {
  /** Empty for a room that is not a space. */
  children_state: SpaceChildState[];
}
