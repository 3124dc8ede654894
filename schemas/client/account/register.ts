import type { ClientRoute } from "../client-route.js";
import { authenticationDataSchema, type AuthenticationData } from "./auth-data.js";

/** POST /_matrix/client/v3/register (register). */
export interface RegisterQuery {
  kind?: "guest" | "user";
}

export interface RegisterRequest {
  auth?: AuthenticationData;
  username?: string;
  password?: string;
  device_id?: string;
  initial_device_display_name?: string;
  inhibit_login?: boolean;
  refresh_token?: boolean;
  /** Upgrades the guest whose access token this is (the guest access module). */
  guest_access_token?: string;
}

export interface RegisterResponse {
  user_id: string;
  access_token?: string;
  refresh_token?: string;
  expires_in_ms?: number;
  home_server?: string;
  device_id?: string;
}

export const registerQuerySchema = {
  type: "object",
  properties: { kind: { type: "string", enum: ["guest", "user"], default: "user" } },
} as const;

export const registerBodySchema = {
  type: "object",
  properties: {
    auth: authenticationDataSchema,
    username: { type: "string" },
    password: { type: "string" },
    device_id: { type: "string" },
    initial_device_display_name: { type: "string" },
    inhibit_login: { type: "boolean" },
    refresh_token: { type: "boolean" },
    guest_access_token: { type: "string" },
  },
} as const;

export const registerRoute: ClientRoute<"none", { query: RegisterQuery; body: RegisterRequest; response: RegisterResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/register",
  auth: "none",
  rateLimited: true,
  query: registerQuerySchema,
  body: registerBodySchema,
};
