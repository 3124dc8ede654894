/** Path parameters shared by the account data and room tag endpoints. */
export interface AccountDataParams {
  userId: string;
  type: string;
}

export interface RoomAccountDataParams extends AccountDataParams {
  roomId: string;
}

export interface RoomTagsParams {
  userId: string;
  roomId: string;
}

export interface RoomTagParams extends RoomTagsParams {
  tag: string;
}

const text = { type: "string", minLength: 1 } as const;

export const accountDataParamsSchema = {
  type: "object",
  required: ["userId", "type"],
  properties: { userId: text, type: text },
} as const;

export const roomAccountDataParamsSchema = {
  type: "object",
  required: ["userId", "roomId", "type"],
  properties: { userId: text, roomId: text, type: text },
} as const;

export const roomTagsParamsSchema = {
  type: "object",
  required: ["userId", "roomId"],
  properties: { userId: text, roomId: text },
} as const;

export const roomTagParamsSchema = {
  type: "object",
  required: ["userId", "roomId", "tag"],
  properties: { userId: text, roomId: text, tag: text },
} as const;

/** Account data content is any JSON object. */
export const accountDataContentSchema = { type: "object" } as const;
