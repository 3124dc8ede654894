import { authenticationDataSchema, type AuthenticationData } from "./auth-data.js";

/** POST /_matrix/client/v3/account/password (changePassword). */
export interface ChangePasswordRequest {
  new_password: string;
  /** Defaults to true: the user's other devices and their tokens are revoked. */
  logout_devices?: boolean;
  auth?: AuthenticationData;
}

export const changePasswordBodySchema = {
  type: "object",
  required: ["new_password"],
  properties: {
    new_password: { type: "string" },
    logout_devices: { type: "boolean" },
    auth: authenticationDataSchema,
  },
} as const;
