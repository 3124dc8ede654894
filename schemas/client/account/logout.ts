import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/logout (logout): no body; answers {}. */
export type LogoutResponse = Record<string, never>;

/** An expired (soft-logged-out) token may still log out, so the client can clean up its session. */
export const logoutRoute: ClientRoute<"expired-allowed", { response: LogoutResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/logout",
  auth: "expired-allowed",
  rateLimited: false,
};
