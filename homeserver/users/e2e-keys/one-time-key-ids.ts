import { canonicalJson } from "../../crypto/canonical-json.js";
import { errors } from "../../errors.js";
import type { OneTimeKey, OneTimeKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import type { StoredKey } from "../../storage/stores/e2e-keys-store.js";

/** Splits `<algorithm>:<key id>` names (the body schema has already required exactly one colon). */
export function toStoredKeys(keys: OneTimeKeys | undefined): StoredKey[] {
  return Object.entries(keys ?? {}).map(([name, key]) => {
    const colon = name.indexOf(":");
    return { algorithm: name.slice(0, colon), keyId: name.slice(colon + 1), keyJson: canonicalJson(key) };
  });
}

/** The spec allows one fallback key per algorithm in an upload. */
export function checkOneFallbackKeyPerAlgorithm(keys: readonly StoredKey[]): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.algorithm)) throw errors.invalidParam(`fallback_keys holds more than one ${key.algorithm} key`);
    seen.add(key.algorithm);
  }
}

/**
 * A one-time key uploaded again is the same key when its JSON is the same, or when only its signatures
 * differ (as Synapse compares): a client retrying an upload it lost the answer to must not fail.
 */
export function sameOneTimeKey(storedJson: string, uploadedJson: string): boolean {
  if (storedJson === uploadedJson) return true;
  const stored = JSON.parse(storedJson) as OneTimeKey;
  const uploaded = JSON.parse(uploadedJson) as OneTimeKey;
  if (typeof stored !== "object" || typeof uploaded !== "object") return false;
  const { signatures: _a, ...storedRest } = stored;
  const { signatures: _b, ...uploadedRest } = uploaded;
  return canonicalJson(storedRest) === canonicalJson(uploadedRest);
}

export const keyName = (key: Pick<StoredKey, "algorithm" | "keyId">): string => `${key.algorithm}:${key.keyId}`;
