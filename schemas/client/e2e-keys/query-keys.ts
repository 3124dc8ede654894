import type { ClientRoute } from "../client-route.js";
import type { DeviceInformation } from "./device-keys.js";
import type { CrossSigningKeysByUser } from "./cross-signing-key.js";

/** POST /_matrix/client/v3/keys/query (queryKeys): the devices and identity keys of users, here and elsewhere. */
export interface QueryKeysBody {
  /** User id -> device ids; an empty list asks for every device of the user. */
  device_keys: Record<string, string[]>;
  /** How long to wait for other servers, in milliseconds (10 s when absent). */
  timeout?: number;
}

export interface QueryKeysResponse {
  device_keys: Record<string, Record<string, DeviceInformation>>;
  /** Servers that could not be reached (or failed), by name. */
  failures: Record<string, Record<string, unknown>>;
  /** The queried users' master keys, with the signatures the requester may see (their own). */
  master_keys?: CrossSigningKeysByUser;
  self_signing_keys?: CrossSigningKeysByUser;
  /** The requester's own user-signing key, when they queried themselves. */
  user_signing_keys?: CrossSigningKeysByUser;
}

export const queryKeysRoute: ClientRoute<"required", { body: QueryKeysBody; response: QueryKeysResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/keys/query",
  auth: "required",
  rateLimited: false,
  body: {
    type: "object",
    required: ["device_keys"],
    properties: {
      device_keys: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
      timeout: { type: "integer" },
    },
  },
};
