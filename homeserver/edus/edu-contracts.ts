/** An EDU as it travels in a federation transaction. */
export interface Edu {
  edu_type: string;
  content: Record<string, unknown>;
}

/**
 * Where the core hands EDUs for other servers. Ephemeral EDUs (typing, receipts, presence) carry a `key`:
 * an unsent EDU is replaced by a newer one with the same key for the same destination, so a peer that is
 * down costs one pending EDU per key, not a growing backlog.
 */
export interface FederationOutbox {
  sendEdu(destinations: Iterable<string>, edu: Edu, key?: string): void;
}

/** Handles one EDU from `origin` (already authenticated by the transaction's X-Matrix signature). */
export type EduHandler = (origin: string, content: Record<string, unknown>) => Promise<void>;
