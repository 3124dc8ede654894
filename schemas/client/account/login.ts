import type { ClientRoute } from "../client-route.js";
import type { DiscoveryInformation } from "../discovery/get-wellknown.js";

/** POST /_matrix/client/v3/login (login). */
export interface UserIdentifier {
  type: string;
  user?: string;
  [key: string]: unknown;
}

export interface LoginRequest {
  type: string;
  identifier?: UserIdentifier;
  /** Deprecated in favour of `identifier`, still sent by older clients. */
  user?: string;
  medium?: string;
  address?: string;
  password?: string;
  token?: string;
  device_id?: string;
  initial_device_display_name?: string;
  refresh_token?: boolean;
}

export interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
  refresh_token?: string;
  expires_in_ms?: number;
  home_server?: string;
  well_known?: DiscoveryInformation;
}

export const loginBodySchema = {
  type: "object",
  required: ["type"],
  properties: {
    type: { type: "string" },
    identifier: { type: "object", required: ["type"], properties: { type: { type: "string" }, user: { type: "string" } } },
    user: { type: "string" },
    medium: { type: "string" },
    address: { type: "string" },
    password: { type: "string" },
    token: { type: "string" },
    device_id: { type: "string" },
    initial_device_display_name: { type: "string" },
    refresh_token: { type: "boolean" },
  },
} as const;

/** Keys the schema does not name reach the service too: it reads some that older clients send. */
export type LoginBody = LoginRequest & Record<string, unknown>;

export const loginRoute: ClientRoute<"none", { body: LoginBody; response: LoginResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/login",
  auth: "none",
  rateLimited: true,
  body: loginBodySchema,
};
