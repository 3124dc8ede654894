import type { DeviceKeys } from "../../client/e2e-keys/device-keys.js";
import type { CrossSigningKey } from "../../client/e2e-keys/cross-signing-key.js";

/** GET /_matrix/federation/v1/user/devices/{userId} (getUserDevices): one of our users' devices. */
export interface GetUserDevicesParams {
  userId: string;
}

export interface GetUserDevicesResponse {
  user_id: string;
  /** The version of the list, matched with the stream_id of m.device_list_update EDUs. */
  stream_id: number;
  devices: Array<{ device_id: string; keys: DeviceKeys; device_display_name?: string }>;
  /** The user's cross-signing keys, when they have them. */
  master_key?: CrossSigningKey;
  self_signing_key?: CrossSigningKey;
}

export const getUserDevicesParams = {
  type: "object",
  required: ["userId"],
  properties: { userId: { type: "string", minLength: 1 } },
} as const;
