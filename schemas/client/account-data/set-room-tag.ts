/** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} (setRoomTag): the body is the tag's content. */
export type { Tag as SetRoomTagRequest } from "./get-room-tags.js";
export { roomTagParamsSchema as setRoomTagParamsSchema } from "./account-data-params.js";

export const setRoomTagBodySchema = {
  type: "object",
  properties: { order: { type: "number" } },
} as const;
