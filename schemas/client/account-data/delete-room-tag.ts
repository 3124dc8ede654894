import type { ClientRoute } from "../client-route.js";
import { roomTagParamsSchema, type RoomTagParams } from "./account-data-params.js";

/** DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} (deleteRoomTag): answers {}. */
export const deleteRoomTagRoute: ClientRoute<"required", { params: RoomTagParams; response: Record<string, never> }> = {
  method: "DELETE",
  path: "/_matrix/client/v3/user/:userId/rooms/:roomId/tags/:tag",
  auth: "required",
  rateLimited: true,
  params: roomTagParamsSchema,
};
