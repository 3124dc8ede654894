/** PUT /_matrix/client/v3/user/{userId}/account_data/{type} (setAccountData): the body is the content. */
export type SetAccountDataRequest = Record<string, unknown>;
export {
  accountDataParamsSchema as setAccountDataParamsSchema,
  accountDataContentSchema as setAccountDataBodySchema,
} from "./account-data-params.js";
