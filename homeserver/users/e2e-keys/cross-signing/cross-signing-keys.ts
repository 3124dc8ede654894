import { decodeBase64 } from "../../../crypto/base64.js";
import { canonicalJson } from "../../../crypto/canonical-json.js";
import { verifyJsonSignature } from "../../../crypto/signed-json.js";
import { errors } from "../../../errors.js";
import type { CrossSigningKey, CrossSigningUsage } from "../../../../schemas/client/e2e-keys/cross-signing-key.js";
import type { Signatures } from "../../../../schemas/client/e2e-keys/device-keys.js";

/** A cross-signing key with its one public key taken out. */
export interface ParsedCrossSigningKey {
  key: CrossSigningKey;
  /** `ed25519:<public key>`: the name its signatures go by. */
  keyId: string;
  /** The part after `ed25519:`, which /keys/signatures/upload uses as the key's id. */
  keyName: string;
  publicKey: Buffer;
}

type JsonObject = Record<string, unknown>;
export const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringMap = (value: unknown): value is Record<string, string> => isObject(value) && Object.values(value).every((v) => typeof v === "string");
const isSignatures = (value: unknown): value is Signatures => isObject(value) && Object.values(value).every(isStringMap);

/**
 * `value` as a cross-signing key of `userId` for `usage`, or undefined: the user's own, with that usage, and
 * exactly one key, an ed25519 one of 32 bytes (the checks Synapse makes, plus the key's algorithm and size,
 * since nothing else can verify a signature).
 */
export function parseCrossSigningKey(value: unknown, userId: string, usage: CrossSigningUsage): ParsedCrossSigningKey | undefined {
  if (!isObject(value) || value.user_id !== userId) return undefined;
  if (!Array.isArray(value.usage) || !value.usage.every((u) => typeof u === "string") || !value.usage.includes(usage)) return undefined;
  if (!isStringMap(value.keys) || (value.signatures !== undefined && !isSignatures(value.signatures))) return undefined;
  const entries = Object.entries(value.keys);
  if (entries.length !== 1) return undefined;
  const [[keyId, encoded]] = entries;
  if (!keyId.startsWith("ed25519:")) return undefined;
  let publicKey: Buffer;
  try {
    publicKey = decodeBase64(encoded);
  } catch {
    return undefined;
  }
  if (publicKey.length !== 32) return undefined;
  return { key: value as CrossSigningKey, keyId, keyName: keyId.slice("ed25519:".length), publicKey };
}

/** The same for a key a client uploads: 400 M_INVALID_PARAM when it is not one, as Synapse answers. */
export function checkCrossSigningKey(value: unknown, userId: string, usage: CrossSigningUsage): ParsedCrossSigningKey {
  const parsed = parseCrossSigningKey(value, userId, usage);
  if (!parsed) throw errors.invalidParam(`Invalid ${usage} key: it must be ${userId}'s, with usage ${usage} and exactly one ed25519 key`);
  return parsed;
}

/** Whether `signer` (a key of `userId`) signed `object`, by the spec's "Signing JSON". */
export function isSignedBy(object: JsonObject, userId: string, signer: { keyId: string; publicKey: Uint8Array }): boolean {
  return verifyJsonSignature(object, userId, signer.keyId, signer.publicKey);
}

/** The object without what signing leaves out, as canonical JSON: two copies of a key compare equal by this. */
export function signedContent(object: JsonObject): string {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return canonicalJson(rest);
}

/** A copy of `object` with `added` (signer -> key id -> signature) merged into its signatures. */
export function withSignatures<T extends { signatures?: Signatures }>(object: T, added: Iterable<{ signerUserId: string; signerKeyId: string; signature: string }>): T {
  let signatures: Signatures | undefined;
  for (const { signerUserId, signerKeyId, signature } of added) {
    signatures ??= Object.fromEntries(Object.entries(object.signatures ?? {}).map(([user, byKey]) => [user, { ...byKey }]));
    if (!Object.hasOwn(signatures, signerUserId)) Object.defineProperty(signatures, signerUserId, { value: {}, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(signatures[signerUserId], signerKeyId, { value: signature, enumerable: true, writable: true, configurable: true });
  }
  return signatures ? { ...object, signatures } : object;
}
