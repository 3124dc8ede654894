import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/register/available (checkUsernameAvailability). */
export interface CheckUsernameAvailabilityQuery {
  username: string;
}

export interface CheckUsernameAvailabilityResponse {
  available: boolean;
}

export const checkUsernameAvailabilityQuerySchema = {
  type: "object",
  required: ["username"],
  properties: { username: { type: "string" } },
} as const;

/** Limited like registration itself, so that it cannot be used to enumerate accounts quickly. */
export const checkUsernameAvailabilityRoute: ClientRoute<"none", { query: CheckUsernameAvailabilityQuery; response: CheckUsernameAvailabilityResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/register/available",
  auth: "none",
  rateLimited: true,
  query: checkUsernameAvailabilityQuerySchema,
};
