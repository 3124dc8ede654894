import type { ClientRoute } from "../client-route.js";
import { roomAccountDataParamsSchema, type RoomAccountDataParams } from "./account-data-params.js";

/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} (getAccountDataPerRoom). */
export type GetAccountDataPerRoomResponse = Record<string, unknown>;

export const getAccountDataPerRoomRoute: ClientRoute<"required", { params: RoomAccountDataParams; response: GetAccountDataPerRoomResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
  auth: "required",
  rateLimited: false,
  params: roomAccountDataParamsSchema,
};
