import type { ClientRoute } from "../client-route.js";
import { roomAliasParams, type RoomAliasParams } from "./room-alias-params.js";

/** DELETE /_matrix/client/v3/directory/room/{roomAlias} */
export type DeleteRoomAliasResponse = Record<string, never>;

export const deleteRoomAliasRoute: ClientRoute<"required", { params: RoomAliasParams; response: DeleteRoomAliasResponse }> = {
  method: "DELETE",
  path: "/_matrix/client/v3/directory/room/:roomAlias",
  auth: "required",
  rateLimited: true,
  params: roomAliasParams,
};
