import type { ClientRoute } from "../client-route.js";
import { accountDataParamsSchema, type AccountDataParams } from "./account-data-params.js";

/** GET /_matrix/client/v3/user/{userId}/account_data/{type} (getAccountData): answers the content. */
export type GetAccountDataResponse = Record<string, unknown>;

export const getAccountDataRoute: ClientRoute<"required", { params: AccountDataParams; response: GetAccountDataResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/user/:userId/account_data/:type",
  auth: "required",
  rateLimited: false,
  params: accountDataParamsSchema,
};
