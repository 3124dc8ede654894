import { createHash } from "node:crypto";
import { encodeUnpaddedBase64 } from "./base64.js";
import { canonicalJsonBytes } from "./canonical-json.js";

const sha256 = (bytes: Uint8Array): Buffer => createHash("sha256").update(bytes).digest();

/** The content hash covers the whole event except unsigned data, signatures and the hash itself. */
export function computeContentHash(event: Record<string, unknown>): string {
  const { unsigned: _u, signatures: _s, hashes: _h, ...rest } = event;
  return encodeUnpaddedBase64(sha256(canonicalJsonBytes(rest)));
}

/**
 * The reference hash is taken over the *redacted* event (the caller redacts with the room version's
 * algorithm, which lives in events/) without signatures and unsigned data.
 */
export function computeReferenceHash(redactedEvent: Record<string, unknown>): Buffer {
  const { unsigned: _u, signatures: _s, age_ts: _a, ...rest } = redactedEvent;
  return sha256(canonicalJsonBytes(rest));
}
