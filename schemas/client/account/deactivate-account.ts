import type { ClientRoute } from "../client-route.js";
import { authenticationDataSchema, type AuthenticationData } from "./auth-data.js";

/** POST /_matrix/client/v3/account/deactivate (deactivateAccount). */
export interface DeactivateAccountRequest {
  auth?: AuthenticationData;
  id_server?: string;
  erase?: boolean;
}

export interface DeactivateAccountResponse {
  id_server_unbind_result: "success" | "no-support";
}

export const deactivateAccountBodySchema = {
  type: "object",
  properties: {
    auth: authenticationDataSchema,
    id_server: { type: "string" },
    erase: { type: "boolean" },
  },
} as const;

export const deactivateAccountRoute: ClientRoute<"required", { body: DeactivateAccountRequest; response: DeactivateAccountResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/deactivate",
  auth: "required",
  rateLimited: true,
  body: deactivateAccountBodySchema,
};
