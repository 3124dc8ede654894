import { roomIdSchema } from "../common.js";

export type DirectoryVisibility = "public" | "private";

/** The `{roomId}` of GET and PUT /_matrix/client/v3/directory/list/room/{roomId} */
export const roomVisibilityParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: roomIdSchema },
} as const;

export interface RoomIdParams {
  roomId: string;
}
