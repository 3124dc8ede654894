import type { Signatures } from "./device-keys.js";

/** The three kinds of cross-signing key (CrossSigningKey's `usage`). */
export type CrossSigningUsage = "master" | "self_signing" | "user_signing";

/**
 * CrossSigningKey (client-server API, "Cross-signing"): one ed25519 public key of a user, named
 * `ed25519:<public key>` in `keys`. Self-signing and user-signing keys are signed by the user's master key.
 */
export interface CrossSigningKey {
  user_id: string;
  usage: string[];
  keys: Record<string, string>;
  signatures?: Signatures;
  [extra: string]: unknown;
}

/** User id -> that user's cross-signing key of one type. */
export type CrossSigningKeysByUser = Record<string, CrossSigningKey>;

const signatures = {
  type: "object",
  additionalProperties: { type: "object", additionalProperties: { type: "string" } },
} as const;

/**
 * The wire types of a CrossSigningKey, as request bodies check them (a wrong type is 400 M_BAD_JSON). What
 * the values must be (the caller's user id, the usage, exactly one key) the service checks, and answers
 * M_INVALID_PARAM as Synapse does.
 */
export const crossSigningKeySchema = {
  type: "object",
  properties: {
    user_id: { type: "string" },
    usage: { type: "array", items: { type: "string" } },
    keys: { type: "object", additionalProperties: { type: "string" } },
    signatures,
  },
} as const;
