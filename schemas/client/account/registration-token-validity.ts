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
