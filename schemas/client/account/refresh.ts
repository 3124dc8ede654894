import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/refresh (refresh). */
export interface RefreshRequest {
  refresh_token: string;
}

export interface RefreshResponse {
  access_token: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

export const refreshBodySchema = {
  type: "object",
  required: ["refresh_token"],
  properties: { refresh_token: { type: "string" } },
} as const;

/** No access token: the client calls this precisely when its access token has expired. */
export const refreshRoute: ClientRoute<"none", { body: RefreshRequest; response: RefreshResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/refresh",
  auth: "none",
  rateLimited: true,
  body: refreshBodySchema,
};
