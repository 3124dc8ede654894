import type { DeviceInformation, OneTimeKeys } from "../../client/e2e-keys/device-keys.js";

/** POST /_matrix/federation/v1/user/keys/query (queryUserKeys): our users' devices, asked by another server. */
export interface FederationQueryKeysBody {
  device_keys: Record<string, string[]>;
}

export interface FederationQueryKeysResponse {
  device_keys: Record<string, Record<string, DeviceInformation>>;
}

export const federationQueryKeysBody = {
  type: "object",
  required: ["device_keys"],
  properties: { device_keys: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
} as const;

/** POST /_matrix/federation/v1/user/keys/claim (claimUserKeys): one-time keys of our users' devices. */
export interface FederationClaimKeysBody {
  one_time_keys: Record<string, Record<string, string>>;
}

export interface FederationClaimKeysResponse {
  one_time_keys: Record<string, Record<string, OneTimeKeys>>;
}

export const federationClaimKeysBody = {
  type: "object",
  required: ["one_time_keys"],
  properties: { one_time_keys: { type: "object", additionalProperties: { type: "object", additionalProperties: { type: "string" } } } },
} as const;
