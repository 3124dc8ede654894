/** GET /_matrix/client/v3/user/{userId}/account_data/{type} (getAccountData): answers the content. */
export type GetAccountDataResponse = Record<string, unknown>;
export { accountDataParamsSchema as getAccountDataParamsSchema } from "./account-data-params.js";
