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
