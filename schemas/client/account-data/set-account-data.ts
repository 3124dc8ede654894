import type { ClientRoute } from "../client-route.js";
import { accountDataContentSchema, accountDataParamsSchema, type AccountDataParams } from "./account-data-params.js";

/** PUT /_matrix/client/v3/user/{userId}/account_data/{type} (setAccountData): the body is the content. */
export type SetAccountDataRequest = Record<string, unknown>;

export const setAccountDataRoute: ClientRoute<"required", { params: AccountDataParams; body: SetAccountDataRequest; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/user/:userId/account_data/:type",
  auth: "required",
  rateLimited: true,
  params: accountDataParamsSchema,
  body: accountDataContentSchema,
};
