import { roomIdSchema } from "../common.js";

/** GET /_matrix/client/v3/rooms/{roomId}/aliases */
export const localAliasesParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: roomIdSchema },
} as const;

export interface GetLocalAliasesResponse {
  aliases: string[];
}
