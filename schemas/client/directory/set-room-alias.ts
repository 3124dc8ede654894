import type { ClientRoute } from "../client-route.js";
import { roomIdSchema } from "../common.js";
import { roomAliasParams, type RoomAliasParams } from "./room-alias-params.js";

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

export const setRoomAliasRoute: ClientRoute<"required", { params: RoomAliasParams; body: SetRoomAliasRequest; response: SetRoomAliasResponse }> = {
  method: "PUT",
  path: "/_matrix/client/v3/directory/room/:roomAlias",
  auth: "required",
  rateLimited: true,
  params: roomAliasParams,
  body: setRoomAliasBody,
};
