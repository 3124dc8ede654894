import type { ClientRoute } from "../client-route.js";
import { roomVisibilityParams, type DirectoryVisibility, type RoomIdParams } from "./room-visibility.js";

/** PUT /_matrix/client/v3/directory/list/room/{roomId} */
export const setRoomVisibilityBody = {
  type: "object",
  properties: { visibility: { enum: ["public", "private"] } },
} as const;

export interface SetRoomVisibilityRequest {
  /** Defaults to `public`. */
  visibility?: DirectoryVisibility;
}

export type SetRoomVisibilityResponse = Record<string, never>;

export const setRoomVisibilityRoute: ClientRoute<"required", { params: RoomIdParams; body: SetRoomVisibilityRequest; response: SetRoomVisibilityResponse }> = {
  method: "PUT",
  path: "/_matrix/client/v3/directory/list/room/:roomId",
  auth: "required",
  rateLimited: true,
  params: roomVisibilityParams,
  body: setRoomVisibilityBody,
};
