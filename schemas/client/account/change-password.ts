import type { ClientRoute } from "../client-route.js";
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

export const changePasswordRoute: ClientRoute<"required", { body: ChangePasswordRequest; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/password",
  auth: "required",
  rateLimited: true,
  body: changePasswordBodySchema,
};
