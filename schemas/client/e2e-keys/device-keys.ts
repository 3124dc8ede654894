/**
 * The key objects of the end-to-end encryption module (client-server API, "Key algorithms" and "Device
 * keys"), shared by /keys/upload, /keys/query, /keys/claim and their federation counterparts.
 */

/** A map from user id to a map from `<algorithm>:<key id>` to the signature. */
export type Signatures = Record<string, Record<string, string>>;

/** DeviceKeys: a device's identity keys, signed by the device's own ed25519 key. */
export interface DeviceKeys {
  user_id: string;
  device_id: string;
  algorithms: string[];
  /** `<algorithm>:<device_id>` -> public key (unpadded base64). */
  keys: Record<string, string>;
  signatures: Signatures;
  [extra: string]: unknown;
}

/** DeviceInformation in a /keys/query answer: the uploaded object with what the server adds. */
export interface DeviceInformation extends DeviceKeys {
  unsigned: { device_display_name?: string; [extra: string]: unknown };
}

/** KeyObject: a signed key (signed_curve25519); `fallback` marks a fallback key. */
export interface KeyObject {
  key: string;
  signatures: Signatures;
  fallback?: boolean;
  [extra: string]: unknown;
}

/** A one-time or fallback key: a bare key (curve25519) or a signed key object. */
export type OneTimeKey = string | KeyObject;

/** `<algorithm>:<key id>` -> key. */
export type OneTimeKeys = Record<string, OneTimeKey>;

const signatures = {
  type: "object",
  additionalProperties: { type: "object", additionalProperties: { type: "string" } },
} as const;

/** The spec's DeviceKeys, as the request bodies check it (a wrong type is 400 M_BAD_JSON). */
export const deviceKeysSchema = {
  type: "object",
  required: ["user_id", "device_id", "algorithms", "keys", "signatures"],
  properties: {
    user_id: { type: "string" },
    device_id: { type: "string" },
    algorithms: { type: "array", items: { type: "string" } },
    keys: { type: "object", additionalProperties: { type: "string" } },
    signatures,
  },
} as const;

/**
 * A map of one-time (or fallback) keys. Names are `<algorithm>:<key id>` with exactly one colon: Synapse
 * refuses any other with M_BAD_JSON, as the body check here does.
 */
export const oneTimeKeysSchema = {
  type: "object",
  propertyNames: { pattern: "^[^:]+:[^:]+$" },
  additionalProperties: {
    anyOf: [
      { type: "string" },
      {
        type: "object",
        required: ["key", "signatures"],
        properties: { key: { type: "string" }, signatures, fallback: { type: "boolean" } },
      },
    ],
  },
} as const;
