import { randomBytes } from "node:crypto";
import type { HierarchyRoomSummary } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import type { Clock } from "../../core/clock.js";
import { LruCache } from "../../core/lru-cache.js";

/** A room still to visit: where to ask for it if we do not hold it, how deep it is, and what its parent's server said. */
export interface QueuedRoom {
  roomId: string;
  via: readonly string[];
  depth: number;
  remote?: HierarchyRoomSummary;
}

/** Where a paginated walk stopped; `from` must come back with the same user, root and filters. */
export interface HierarchySession {
  userId: string;
  rootId: string;
  suggestedOnly: boolean;
  /** As the client asked (undefined when it did not), so that a change is noticed. */
  maxDepth: number | undefined;
  /** The next room to visit is last. */
  queue: QueuedRoom[];
  processed: ReadonlySet<string>;
  createdAt: number;
}

/** Synapse keeps a walk for five minutes, long enough for a client to page through a space. */
const SESSION_LIFETIME_MS = 5 * 60_000;
const MAX_SESSIONS = 10_000;

/**
 * Pagination of GET /hierarchy, kept in memory: a token names the rest of a depth-first walk. A token read
 * again gives the same page (a client retrying a request), until it expires; after a restart it is unknown.
 */
export class HierarchySessions {
  private readonly sessions = new LruCache<string, HierarchySession>(MAX_SESSIONS);

  constructor(private readonly clock: Clock) {}

  save(session: Omit<HierarchySession, "createdAt">): string {
    const token = randomBytes(16).toString("base64url");
    this.sessions.set(token, { ...session, createdAt: this.clock.now() });
    return token;
  }

  find(token: string): HierarchySession | undefined {
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (this.clock.now() - session.createdAt > SESSION_LIFETIME_MS) {
      this.sessions.delete(token);
      return undefined;
    }
    return session;
  }
}
