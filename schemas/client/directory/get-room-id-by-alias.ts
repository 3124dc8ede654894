import type { ClientRoute } from "../client-route.js";
import { roomAliasParams, type RoomAliasParams } from "./room-alias-params.js";

/** GET /_matrix/client/v3/directory/room/{roomAlias} (no authentication) */
export interface GetRoomIdByAliasResponse {
  room_id: string;
  /** Servers that are aware of the alias, this server first. */
  servers: string[];
}

/** No access token: resolving an alias is how strangers find a room to join. */
export const getRoomIdByAliasRoute: ClientRoute<"none", { params: RoomAliasParams; response: GetRoomIdByAliasResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/directory/room/:roomAlias",
  auth: "none",
  rateLimited: true,
  params: roomAliasParams,
};
