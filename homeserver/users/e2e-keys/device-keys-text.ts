import type { CrossSignature } from "../../storage/stores/cross-signing-store.js";
import type { StoredDeviceKeys } from "../../storage/stores/e2e-keys-store.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import { withSignatures } from "./cross-signing/cross-signing-keys.js";

const SIGNATURES = '"signatures":{';

/**
 * One device as /keys/query answers it, as JSON text made from the stored text without parsing it: the owner's
 * cross-signing signatures on the device added to `signatures`, and `unsigned` appended. The stored text is the
 * canonical JSON of what the device uploaded, signed by the device and without `unsigned`, so its keys are
 * sorted and it holds its own signatures object exactly once at the top level, normally with the owner as its
 * first (and only) signer. When it does not look exactly like that, or a signature's key id already appears in
 * it, the device is parsed and merged as objects instead: same answer, the slower way.
 */
export function deviceKeysText(row: StoredDeviceKeys, signatures: readonly CrossSignature[], unsigned: Record<string, unknown>): string {
  const signed = signatures.length === 0 ? row.keyJson : (spliceSignatures(row.keyJson, row.userId, signatures) ?? JSON.stringify(withSignatures(JSON.parse(row.keyJson) as DeviceKeys, signatures)));
  return `${signed.slice(0, -1)},"unsigned":${JSON.stringify(unsigned)}}`;
}

function spliceSignatures(text: string, owner: string, signatures: readonly CrossSignature[]): string | undefined {
  const at = text.indexOf(SIGNATURES);
  if (at < 0 || text.indexOf(SIGNATURES, at + 1) >= 0) return undefined;
  const ownerEntry = `${JSON.stringify(owner)}:{`;
  const entryAt = at + SIGNATURES.length;
  if (!text.startsWith(ownerEntry, entryAt)) return undefined;
  const pairs: string[] = [];
  for (const { signerUserId, signerKeyId, signature } of signatures) {
    const keyId = JSON.stringify(signerKeyId);
    if (signerUserId !== owner || text.includes(`${keyId}:`)) return undefined;
    pairs.push(`${keyId}:${JSON.stringify(signature)}`);
  }
  const insertAt = entryAt + ownerEntry.length;
  return `${text.slice(0, insertAt)}${pairs.join(",")}${text[insertAt] === "}" ? "" : ","}${text.slice(insertAt)}`;
}
