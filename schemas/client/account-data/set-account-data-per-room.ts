import type { ClientRoute } from "../client-route.js";
import { accountDataContentSchema, roomAccountDataParamsSchema, type RoomAccountDataParams } from "./account-data-params.js";

/** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} (setAccountDataPerRoom). */
export type SetAccountDataPerRoomRequest = Record<string, unknown>;

export const setAccountDataPerRoomRoute: ClientRoute<
  "required",
  { params: RoomAccountDataParams; body: SetAccountDataPerRoomRequest; response: Record<string, never> }
> = {
  method: "PUT",
  path: "/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type",
  auth: "required",
  rateLimited: true,
  params: roomAccountDataParamsSchema,
  body: accountDataContentSchema,
};
