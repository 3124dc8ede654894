import { decodeBase64 } from "../../crypto/base64.js";
import { canonicalJson } from "../../crypto/canonical-json.js";
import { verifyJsonSignature } from "../../crypto/signed-json.js";
import { MatrixError, errors } from "../../errors.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";

/** The spec's errcode for a key whose signature does not verify (Synapse uses it for cross-signing keys too). */
export const invalidSignature = (message: string) => new MatrixError("M_INVALID_SIGNATURE", message, 400);

/**
 * What /keys/upload accepts as a device's identity keys: for the caller's own user and device (Synapse
 * answers M_BAD_JSON otherwise, and so do we), holding the device's ed25519 key, and signed by that key
 * over the canonical JSON without `signatures` and `unsigned` (the spec's "Signing JSON").
 */
export function checkUploadedDeviceKeys(deviceKeys: DeviceKeys, userId: string, deviceId: string): void {
  if (deviceKeys.user_id !== userId) throw errors.badJson("device_keys.user_id does not match the user of the access token");
  if (deviceKeys.device_id !== deviceId) throw errors.badJson("device_keys.device_id does not match the device of the access token");
  const keyName = `ed25519:${deviceId}`;
  const encoded = deviceKeys.keys[keyName];
  if (encoded === undefined) throw errors.invalidParam(`device_keys.keys must hold the device's ed25519 key, ${keyName}`);
  let publicKey: Buffer;
  try {
    publicKey = decodeBase64(encoded);
  } catch {
    publicKey = Buffer.alloc(0);
  }
  if (publicKey.length !== 32) throw errors.invalidParam(`device_keys.keys.${keyName} is not a 32-byte ed25519 key in base64`);
  if (!verifyJsonSignature(deviceKeys, userId, keyName, publicKey)) {
    throw invalidSignature(`device_keys is not signed by ${keyName}`);
  }
}

/**
 * Once a device has identity keys, they stay: a client cannot swap them (Synapse does not refuse yet, see
 * element-hq/synapse#18511, and matrix-sdk-crypto ignores a changed ed25519 key anyway). A re-upload with the
 * same `keys` may carry other signatures or algorithms, which a cross-signing reset needs.
 */
export function sameIdentityKeys(stored: DeviceKeys, uploaded: DeviceKeys): boolean {
  return canonicalJson(stored.keys) === canonicalJson(uploaded.keys);
}

/** The uploaded object as it is stored and served: what the device signed, plus its signatures. */
export function storableDeviceKeys(deviceKeys: DeviceKeys): DeviceKeys {
  const { unsigned: _unsigned, ...rest } = deviceKeys;
  return rest as DeviceKeys;
}
