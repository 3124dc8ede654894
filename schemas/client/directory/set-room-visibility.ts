import type { DirectoryVisibility } from "./room-visibility.js";

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
