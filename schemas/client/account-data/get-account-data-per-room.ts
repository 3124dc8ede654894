/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} (getAccountDataPerRoom). */
export type GetAccountDataPerRoomResponse = Record<string, unknown>;
export { roomAccountDataParamsSchema as getAccountDataPerRoomParamsSchema } from "./account-data-params.js";
