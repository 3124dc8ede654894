import type { DeviceInformation, OneTimeKey, OneTimeKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import type { ClaimedKeysByUser, DeviceKeysByUser } from "./e2e-keys-service.js";
import { ownOrSet, setOwn } from "./own-entries.js";

/**
 * What the core asks of other servers about their users' keys; federation/ implements it over POST
 * /_matrix/federation/v1/user/keys/{query,claim}. Answers are raw: the checks below keep what is well formed.
 * A failure throws; an error with a numeric `status` (the peer answered with one) is reported with it.
 */
export interface RemoteUserKeys {
  queryKeys(destination: string, deviceKeys: Record<string, string[]>, timeoutMs: number): Promise<unknown>;
  claimKeys(destination: string, oneTimeKeys: Record<string, Record<string, string>>, timeoutMs: number): Promise<unknown>;
}

/** The one method of the signed federation client (federation/client/federation-client.ts) that this needs. */
export interface SignedPoster {
  post(destination: string, path: string, body: unknown, options: { timeoutMs?: number }): Promise<unknown>;
}

/**
 * RemoteUserKeys over the signed federation client. It lives here, not in federation/client/, only because
 * that folder was not this change's to add to; it holds nothing but the two paths.
 */
export function remoteUserKeysOver(client: SignedPoster): RemoteUserKeys {
  return {
    queryKeys: (destination, deviceKeys, timeoutMs) => client.post(destination, "/_matrix/federation/v1/user/keys/query", { device_keys: deviceKeys }, { timeoutMs }),
    claimKeys: (destination, oneTimeKeys, timeoutMs) => client.post(destination, "/_matrix/federation/v1/user/keys/claim", { one_time_keys: oneTimeKeys }, { timeoutMs }),
  };
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringMap = (value: unknown): boolean => isObject(value) && Object.values(value).every((v) => typeof v === "string");
const isSignatures = (value: unknown): boolean => isObject(value) && Object.values(value).every(isStringMap);

/** A device of `userId` as the spec's DeviceInformation has it, or undefined. */
export function checkRemoteDevice(value: unknown, userId: string, deviceId: string): DeviceInformation | undefined {
  if (!isObject(value) || value.user_id !== userId || value.device_id !== deviceId) return undefined;
  if (!Array.isArray(value.algorithms) || !value.algorithms.every((a) => typeof a === "string")) return undefined;
  if (!isStringMap(value.keys) || !isSignatures(value.signatures)) return undefined;
  const unsigned: DeviceInformation["unsigned"] = {};
  if (isObject(value.unsigned) && typeof value.unsigned.device_display_name === "string") unsigned.device_display_name = value.unsigned.device_display_name;
  return { ...(value as unknown as DeviceInformation), unsigned };
}

/**
 * The devices of another server's answer to POST /user/keys/query, only of the users (and devices) we
 * asked it about, and only those shaped as the spec says: what we pass on to our clients must match the
 * spec whatever the peer sent. Clients check the signatures themselves.
 */
export function checkRemoteDeviceKeys(answer: unknown, asked: Record<string, readonly string[]>): DeviceKeysByUser {
  const result: DeviceKeysByUser = {};
  const answered = isObject(answer) && isObject(answer.device_keys) ? answer.device_keys : {};
  for (const [userId, deviceIds] of Object.entries(asked)) {
    const devices = answered[userId];
    if (!Object.hasOwn(answered, userId) || !isObject(devices)) continue;
    const wanted = deviceIds.length > 0 ? new Set(deviceIds) : undefined;
    const kept: Record<string, DeviceInformation> = {};
    for (const [deviceId, device] of Object.entries(devices)) {
      if (wanted && !wanted.has(deviceId)) continue;
      const checked = checkRemoteDevice(device, userId, deviceId);
      if (checked) setOwn(kept, deviceId, checked);
    }
    setOwn(result, userId, kept);
  }
  return result;
}

function checkKey(value: unknown): OneTimeKey | undefined {
  if (typeof value === "string") return value;
  if (isObject(value) && typeof value.key === "string" && isSignatures(value.signatures)) return value as OneTimeKey;
  return undefined;
}

/** The keys of another server's answer to POST /user/keys/claim, of the devices and algorithms we asked for. */
export function checkRemoteClaimedKeys(answer: unknown, asked: Record<string, Record<string, string>>): ClaimedKeysByUser {
  const result: ClaimedKeysByUser = {};
  const answered = isObject(answer) && isObject(answer.one_time_keys) ? answer.one_time_keys : {};
  for (const [userId, devices] of Object.entries(asked)) {
    const answeredDevices = answered[userId];
    if (!Object.hasOwn(answered, userId) || !isObject(answeredDevices)) continue;
    for (const [deviceId, algorithm] of Object.entries(devices)) {
      const keys = answeredDevices[deviceId];
      if (!Object.hasOwn(answeredDevices, deviceId) || !isObject(keys)) continue;
      const kept: OneTimeKeys = {};
      for (const [name, key] of Object.entries(keys)) {
        const checked = name.startsWith(`${algorithm}:`) ? checkKey(key) : undefined;
        if (checked !== undefined) setOwn(kept, name, checked);
      }
      if (Object.keys(kept).length > 0) setOwn(ownOrSet(result, userId, () => ({})), deviceId, kept);
    }
  }
  return result;
}

/** How a server that failed is reported in `failures`, as Synapse does: its status if it answered one, else 503. */
export function failureOf(error: unknown): { status: number; message: string } {
  const status = (error as { status?: unknown } | undefined)?.status;
  const message = error instanceof Error ? error.message : String(error);
  return { status: typeof status === "number" && status >= 400 ? status : 503, message };
}
