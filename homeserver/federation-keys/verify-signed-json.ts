import { verifyJsonSignature } from "../crypto/signed-json.js";
import type { ServerKeys } from "./server-keys.js";

const ED25519 = "ed25519:";

/**
 * Shared by every ServerKeys implementation. We require *every* signature by a usable key to verify (as
 * Synapse does), not just one: a bad signature from a key we trust means the object was tampered with.
 * Signatures by keys we cannot find, or that expired before `minimumValidUntilTs`, are ignored.
 */
export async function verifySignedJsonWith(
  getVerifyKey: ServerKeys["getVerifyKey"],
  object: Record<string, unknown>,
  serverName: string,
  minimumValidUntilTs: number,
): Promise<boolean> {
  const signatures = (object.signatures as Record<string, unknown> | undefined)?.[serverName];
  if (typeof signatures !== "object" || signatures === null) return false;
  const keyIds = Object.keys(signatures).filter((keyId) => keyId.startsWith(ED25519));
  const keys = await Promise.all(keyIds.map((keyId) => getVerifyKey(serverName, keyId, minimumValidUntilTs)));
  let verified = 0;
  for (let i = 0; i < keyIds.length; i++) {
    const key = keys[i];
    if (!key) continue;
    if (!verifyJsonSignature(object, serverName, keyIds[i], key)) return false;
    verified++;
  }
  return verified > 0;
}
