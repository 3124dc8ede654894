/** GET /_matrix/federation/v1/query/directory?room_alias= (queryRoomDirectory): one of our aliases. */
export interface QueryDirectoryResponse {
  room_id: string;
  servers: string[];
}

export const queryDirectoryQuery = {
  type: "object",
  required: ["room_alias"],
  properties: { room_alias: { type: "string", minLength: 1 } },
} as const;

export interface QueryDirectoryQuery {
  room_alias: string;
}
