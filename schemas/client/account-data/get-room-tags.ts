import type { ClientRoute } from "../client-route.js";
import { roomTagsParamsSchema, type RoomTagsParams } from "./account-data-params.js";

/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags (getRoomTags). */
export interface Tag {
  order?: number;
  [key: string]: unknown;
}

export interface GetRoomTagsResponse {
  tags: Record<string, Tag>;
}

export const getRoomTagsRoute: ClientRoute<"required", { params: RoomTagsParams; response: GetRoomTagsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/user/:userId/rooms/:roomId/tags",
  auth: "required",
  rateLimited: false,
  params: roomTagsParamsSchema,
};
