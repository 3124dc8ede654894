/** DELETE /_matrix/client/v3/directory/room/{roomAlias} */
export type DeleteRoomAliasResponse = Record<string, never>;
