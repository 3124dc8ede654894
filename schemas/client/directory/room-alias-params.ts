/** The `{roomAlias}` path parameter of /directory/room/{roomAlias}; its grammar is checked by the service, which names the problem. */
export const roomAliasParams = {
  type: "object",
  required: ["roomAlias"],
  properties: { roomAlias: { type: "string", minLength: 1 } },
} as const;

export interface RoomAliasParams {
  roomAlias: string;
}
