import type { ClientRoute } from "../client-route.js";
import type { OneTimeKeys } from "./device-keys.js";

/** POST /_matrix/client/v3/keys/claim (claimKeys): one one-time key (or the fallback key) per device asked for. */
export interface ClaimKeysBody {
  /** User id -> device id -> algorithm. */
  one_time_keys: Record<string, Record<string, string>>;
  /** How long to wait for other servers, in milliseconds (10 s when absent). */
  timeout?: number;
}

export interface ClaimKeysResponse {
  /** User id -> device id -> `<algorithm>:<key id>` -> key; devices without a key are left out. */
  one_time_keys: Record<string, Record<string, OneTimeKeys>>;
  failures: Record<string, Record<string, unknown>>;
}

export const claimKeysRoute: ClientRoute<"required", { body: ClaimKeysBody; response: ClaimKeysResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/keys/claim",
  auth: "required",
  rateLimited: false,
  body: {
    type: "object",
    required: ["one_time_keys"],
    properties: {
      one_time_keys: { type: "object", additionalProperties: { type: "object", additionalProperties: { type: "string" } } },
      timeout: { type: "integer" },
    },
  },
};
