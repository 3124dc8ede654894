/** GET /_matrix/client/v3/directory/room/{roomAlias} (no authentication) */
export interface GetRoomIdByAliasResponse {
  room_id: string;
  /** Servers that are aware of the alias, this server first. */
  servers: string[];
}
