import { decodeBase64 } from "../crypto/base64.js";
import { verifyJsonSignature } from "../crypto/signed-json.js";

export const KEY_ID_PATTERN = /^ed25519:[A-Za-z0-9_]+$/;

/** The spec: use the lesser of valid_until_ts and 7 days from now, so a leaked key cannot be pinned for years. */
export const MAX_KEY_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

export interface ParsedVerifyKey {
  keyId: string;
  publicKey: Buffer;
  /** As published (unpadded base64). */
  publicKeyBase64: string;
  /** When the key stops being usable: the capped valid_until_ts, or expired_ts for an old key. */
  validUntilTs: number;
  expiredTs: number | null;
}

export interface ParsedKeyResponse {
  serverName: string;
  /** valid_until_ts exactly as published (uncapped), for notary cache decisions. */
  publishedValidUntilTs: number;
  keys: ParsedVerifyKey[];
}

export class KeyResponseError extends Error {
  override name = "KeyResponseError";
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function decodeKey(keyId: string, value: unknown): { bytes: Buffer; text: string } | undefined {
  if (!KEY_ID_PATTERN.test(keyId) || !isObject(value) || typeof value.key !== "string") return undefined;
  try {
    const bytes = decodeBase64(value.key);
    return bytes.length === 32 ? { bytes, text: value.key } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates a "Server Keys" object (from GET /_matrix/key/v2/server, or one entry of a notary's answer):
 * it names `expectedServerName` and is signed by that server with at least one of its own verify_keys,
 * every such signature verifying. Keys of algorithms we do not support are skipped.
 */
export function parseServerKeyResponse(json: unknown, expectedServerName: string, fetchedTs: number): ParsedKeyResponse {
  if (!isObject(json)) throw new KeyResponseError("key response is not a JSON object");
  if (json.server_name !== expectedServerName) {
    throw new KeyResponseError(`key response is for ${String(json.server_name)}, not ${expectedServerName}`);
  }
  const validUntil = json.valid_until_ts;
  if (typeof validUntil !== "number" || !Number.isSafeInteger(validUntil)) throw new KeyResponseError("valid_until_ts missing");
  if (!isObject(json.verify_keys)) throw new KeyResponseError("verify_keys missing");
  const current = new Map<string, { bytes: Buffer; text: string }>();
  for (const [keyId, value] of Object.entries(json.verify_keys)) {
    const key = decodeKey(keyId, value);
    if (key) current.set(keyId, key);
  }
  const signatures = isObject(json.signatures) ? json.signatures[expectedServerName] : undefined;
  if (!isObject(signatures)) throw new KeyResponseError(`key response is not signed by ${expectedServerName}`);
  let selfSigned = false;
  for (const keyId of Object.keys(signatures)) {
    const key = current.get(keyId);
    if (!key) continue; // e.g. a notary's own key, or an algorithm we do not know
    if (!verifyJsonSignature(json as Parameters<typeof verifyJsonSignature>[0], expectedServerName, keyId, key.bytes)) {
      throw new KeyResponseError(`bad signature by ${expectedServerName} with ${keyId}`);
    }
    selfSigned = true;
  }
  if (!selfSigned) throw new KeyResponseError(`key response is not signed with any of ${expectedServerName}'s own keys`);

  const cappedValidUntil = Math.min(validUntil, fetchedTs + MAX_KEY_VALIDITY_MS);
  const keys: ParsedVerifyKey[] = [...current].map(([keyId, key]) => ({
    keyId,
    publicKey: key.bytes,
    publicKeyBase64: key.text,
    validUntilTs: cappedValidUntil,
    expiredTs: null,
  }));
  if (isObject(json.old_verify_keys)) {
    for (const [keyId, value] of Object.entries(json.old_verify_keys)) {
      if (current.has(keyId) || !isObject(value)) continue;
      const key = decodeKey(keyId, value);
      const expired = value.expired_ts;
      if (!key || typeof expired !== "number" || !Number.isSafeInteger(expired)) continue;
      // An old key was valid up to when it stopped being used, never beyond what the response vouches for.
      const until = Math.min(expired, cappedValidUntil);
      keys.push({ keyId, publicKey: key.bytes, publicKeyBase64: key.text, validUntilTs: until, expiredTs: expired });
    }
  }
  return { serverName: expectedServerName, publishedValidUntilTs: validUntil, keys };
}
