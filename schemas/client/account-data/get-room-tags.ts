/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags (getRoomTags). */
export interface Tag {
  order?: number;
  [key: string]: unknown;
}

export interface GetRoomTagsResponse {
  tags: Record<string, Tag>;
}

export { roomTagsParamsSchema as getRoomTagsParamsSchema } from "./account-data-params.js";
