import type { CrossSigningKeysByUser } from "../../../../schemas/client/e2e-keys/cross-signing-key.js";
import { setOwn } from "../own-entries.js";
import { isObject, parseCrossSigningKey } from "./cross-signing-keys.js";

/**
 * The master and self-signing keys of another server's answer to POST /user/keys/query, only of the users we
 * asked it about and only those shaped as the spec's CrossSigningKey (each the user's own, with its usage and
 * one ed25519 key): what we pass on to our clients must match the spec whatever the peer sent. Clients check
 * the signatures themselves.
 */
export function checkRemoteCrossSigningKeys(
  answer: unknown,
  asked: Record<string, readonly string[]>,
): { master_keys: CrossSigningKeysByUser; self_signing_keys: CrossSigningKeysByUser } {
  const result = { master_keys: {} as CrossSigningKeysByUser, self_signing_keys: {} as CrossSigningKeysByUser };
  if (!isObject(answer)) return result;
  for (const [field, usage] of [["master_keys", "master"], ["self_signing_keys", "self_signing"]] as const) {
    const answered = isObject(answer[field]) ? answer[field] : {};
    for (const userId of Object.keys(asked)) {
      if (!Object.hasOwn(answered, userId)) continue;
      const key = parseCrossSigningKey(answered[userId], userId, usage);
      if (key) setOwn(result[field], userId, key.key);
    }
  }
  return result;
}
