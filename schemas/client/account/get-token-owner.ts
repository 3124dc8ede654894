import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/account/whoami (getTokenOwner). */
export interface GetTokenOwnerResponse {
  user_id: string;
  device_id?: string;
  is_guest?: boolean;
}

export const getTokenOwnerRoute: ClientRoute<"required", { response: GetTokenOwnerResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/account/whoami",
  auth: "required",
  rateLimited: false,
};
