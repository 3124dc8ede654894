import type { ClientRoute } from "../client-route.js";
import { roomVisibilityParams, type DirectoryVisibility, type RoomIdParams } from "./room-visibility.js";

/** GET /_matrix/client/v3/directory/list/room/{roomId} (no authentication) */
export interface GetRoomVisibilityResponse {
  visibility: DirectoryVisibility;
}

/** No access token: whether a room is published is itself public. */
export const getRoomVisibilityRoute: ClientRoute<"none", { params: RoomIdParams; response: GetRoomVisibilityResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/directory/list/room/:roomId",
  auth: "none",
  rateLimited: true,
  params: roomVisibilityParams,
};
