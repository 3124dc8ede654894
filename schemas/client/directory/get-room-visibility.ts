import type { DirectoryVisibility } from "./room-visibility.js";

/** GET /_matrix/client/v3/directory/list/room/{roomId} (no authentication) */
export interface GetRoomVisibilityResponse {
  visibility: DirectoryVisibility;
}
