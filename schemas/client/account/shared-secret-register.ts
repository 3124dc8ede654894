import type { ClientRoute } from "../client-route.js";

/**
 * Synapse's admin API for shared-secret registration, not part of the Matrix spec:
 * GET /_synapse/admin/v1/register returns a nonce; POST registers with an HMAC over it.
 */
export interface SharedSecretNonceResponse {
  nonce: string;
}

export interface SharedSecretRegisterRequest {
  nonce: string;
  username: string;
  password: string;
  /** Hex HMAC-SHA1 with the shared secret over nonce\0username\0password\0(admin|notadmin)[\0user_type]. */
  mac: string;
  admin?: boolean;
  displayname?: string;
  user_type?: string | null;
}

export interface SharedSecretRegisterResponse {
  user_id: string;
  home_server: string;
  access_token: string;
  device_id: string;
}

export const sharedSecretRegisterBodySchema = {
  type: "object",
  required: ["nonce", "username", "password", "mac"],
  properties: {
    nonce: { type: "string" },
    username: { type: "string", minLength: 1 },
    password: { type: "string" },
    mac: { type: "string" },
    admin: { type: "boolean" },
    displayname: { type: "string" },
    user_type: { type: ["string", "null"] },
  },
} as const;

export const sharedSecretNonceRoute: ClientRoute<"none", { response: SharedSecretNonceResponse }> = {
  method: "GET",
  path: "/_synapse/admin/v1/register",
  auth: "none",
  rateLimited: true,
};

export const sharedSecretRegisterRoute: ClientRoute<"none", { body: SharedSecretRegisterRequest; response: SharedSecretRegisterResponse }> = {
  method: "POST",
  path: "/_synapse/admin/v1/register",
  auth: "none",
  rateLimited: true,
  body: sharedSecretRegisterBodySchema,
};
