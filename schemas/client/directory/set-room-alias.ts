import { roomIdSchema } from "../common.js";

/** PUT /_matrix/client/v3/directory/room/{roomAlias} */
export const setRoomAliasBody = {
  type: "object",
  required: ["room_id"],
  properties: { room_id: roomIdSchema },
} as const;

export interface SetRoomAliasRequest {
  room_id: string;
}

export type SetRoomAliasResponse = Record<string, never>;
