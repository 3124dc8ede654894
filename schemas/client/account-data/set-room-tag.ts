import type { ClientRoute } from "../client-route.js";
import type { Tag } from "./get-room-tags.js";
import { roomTagParamsSchema, type RoomTagParams } from "./account-data-params.js";

/** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} (setRoomTag): the body is the tag's content. */
export type { Tag as SetRoomTagRequest } from "./get-room-tags.js";

export const setRoomTagBodySchema = {
  type: "object",
  properties: { order: { type: "number" } },
} as const;

export const setRoomTagRoute: ClientRoute<"required", { params: RoomTagParams; body: Tag; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/user/:userId/rooms/:roomId/tags/:tag",
  auth: "required",
  rateLimited: true,
  params: roomTagParamsSchema,
  body: setRoomTagBodySchema,
};
