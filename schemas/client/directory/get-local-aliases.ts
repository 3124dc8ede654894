import type { ClientRoute } from "../client-route.js";
import { roomIdSchema } from "../common.js";
import type { RoomIdParams } from "./room-visibility.js";

/** GET /_matrix/client/v3/rooms/{roomId}/aliases */
export const localAliasesParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: roomIdSchema },
} as const;

export interface GetLocalAliasesResponse {
  aliases: string[];
}

export const getLocalAliasesRoute: ClientRoute<"required", { params: RoomIdParams; response: GetLocalAliasesResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/aliases",
  auth: "required",
  rateLimited: true,
  params: localAliasesParams,
};
