import type { BackedUpKeyMeta } from "../../storage/stores/key-backup-store.js";

/**
 * Whether an uploaded key for a session replaces the one the backup already holds, by the spec's order
 * ("Server-side key backups"): a verified key beats an unverified one; between keys equally verified, the lower
 * first_message_index (it decrypts more of the session); then the lower forwarded_count (fewer hands). A key
 * that is no better in any of these keeps the existing one, so re-uploading the same key changes nothing.
 *
 * Synapse differs in one case: it lets an unverified key with a lower first_message_index replace a verified
 * one. The spec keeps the verified key, and so do we.
 */
export function replacesBackedUpKey(existing: BackedUpKeyMeta, candidate: BackedUpKeyMeta): boolean {
  if (candidate.isVerified !== existing.isVerified) return candidate.isVerified;
  if (candidate.firstMessageIndex !== existing.firstMessageIndex) return candidate.firstMessageIndex < existing.firstMessageIndex;
  return candidate.forwardedCount < existing.forwardedCount;
}
