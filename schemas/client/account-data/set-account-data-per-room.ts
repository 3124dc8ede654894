/** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} (setAccountDataPerRoom). */
export type SetAccountDataPerRoomRequest = Record<string, unknown>;
export {
  roomAccountDataParamsSchema as setAccountDataPerRoomParamsSchema,
  accountDataContentSchema as setAccountDataPerRoomBodySchema,
} from "./account-data-params.js";
