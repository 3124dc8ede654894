import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v1/register/m.login.registration_token/validity (registrationTokenValidity). */
export interface RegistrationTokenValidityQuery {
  token: string;
}

export interface RegistrationTokenValidityResponse {
  valid: boolean;
}

export const registrationTokenValidityQuerySchema = {
  type: "object",
  required: ["token"],
  properties: { token: { type: "string" } },
} as const;

/** Rate limited since it checks secrets. */
export const registrationTokenValidityRoute: ClientRoute<"none", { query: RegistrationTokenValidityQuery; response: RegistrationTokenValidityResponse }> = {
  method: "GET",
  path: "/_matrix/client/v1/register/m.login.registration_token/validity",
  auth: "none",
  rateLimited: true,
  query: registrationTokenValidityQuerySchema,
};
