import type { ClientRoute } from "../client-route.js";
import { deviceKeysSchema, oneTimeKeysSchema, type DeviceKeys, type OneTimeKeys } from "./device-keys.js";

/** POST /_matrix/client/v3/keys/upload (uploadKeys): the calling device's identity, one-time and fallback keys. */
export interface UploadKeysBody {
  device_keys?: DeviceKeys;
  one_time_keys?: OneTimeKeys;
  fallback_keys?: OneTimeKeys;
}

export interface UploadKeysResponse {
  /** Unclaimed one-time keys of the device by algorithm; signed_curve25519 is always there. */
  one_time_key_counts: Record<string, number>;
}

export const uploadKeysRoute: ClientRoute<"required", { body: UploadKeysBody; response: UploadKeysResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/keys/upload",
  auth: "required",
  rateLimited: false,
  body: {
    type: "object",
    properties: { device_keys: deviceKeysSchema, one_time_keys: oneTimeKeysSchema, fallback_keys: oneTimeKeysSchema },
  },
};
