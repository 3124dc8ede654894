import type { ClientRoute } from "../client-route.js";

export interface GetNotificationsQuery {
  from?: string;
  limit?: string;
  only?: string;
}

/** GET /_matrix/client/v3/notifications (getNotifications). */
export const getNotificationsRoute: ClientRoute<"required", { query: GetNotificationsQuery; response: { notifications: unknown[]; next_token?: string } }> = {
  method: "GET",
  path: "/_matrix/client/v3/notifications",
  auth: "required",
  rateLimited: false,
  query: { type: "object", properties: { from: { type: "string" }, limit: { type: "string" }, only: { type: "string" } } },
};
