import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/logout/all (logout_all): no body; answers {}. */
export type LogoutAllResponse = Record<string, never>;

export const logoutAllRoute: ClientRoute<"expired-allowed", { response: LogoutAllResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/logout/all",
  auth: "expired-allowed",
  rateLimited: false,
};
