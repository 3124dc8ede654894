import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/capabilities (getCapabilities). */
export interface BooleanCapability {
  enabled: boolean;
}

export interface GetCapabilitiesResponse {
  capabilities: {
    "m.change_password"?: BooleanCapability;
    "m.room_versions"?: { default: string; available: Record<string, "stable" | "unstable"> };
    "m.set_displayname"?: BooleanCapability;
    "m.set_avatar_url"?: BooleanCapability;
    "m.3pid_changes"?: BooleanCapability;
    "m.get_login_token"?: BooleanCapability;
    [capability: string]: unknown;
  };
}

export const getCapabilitiesRoute: ClientRoute<"required", { response: GetCapabilitiesResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/capabilities",
  auth: "required",
  rateLimited: false,
};
