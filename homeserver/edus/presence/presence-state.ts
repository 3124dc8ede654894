import type { PresenceContent, PresenceValue } from "../../../schemas/client/presence/presence-content.js";

/** What we know of one user's presence, local or remote. Timestamps are clock milliseconds. */
export interface UserPresence {
  userId: string;
  local: boolean;
  presence: PresenceValue;
  statusMsg: string | undefined;
  /** The user's last action; undefined until they have done something. */
  lastActiveTs: number | undefined;
  /** Local users: the latest moment one of their syncs may still be running, or their last action. */
  lastSeenTs: number;
  /** Remote users: currently_active as their server said. Local users: computed from lastActiveTs. */
  remoteCurrentlyActive: boolean;
  /** Local users: when we last told other servers. Remote users: when their server last told us. */
  lastFederationTs: number;
  /** The rooms the user was joined to at the last published change. */
  rooms: string[];
  /** Presence-stream position of the last published change. */
  streamPos: number;
  /** What was last published, to decide whether a change is worth telling anyone. */
  published: PublishedPresence | undefined;
}

export interface PublishedPresence {
  presence: PresenceValue;
  statusMsg: string | undefined;
  currentlyActive: boolean;
  lastActiveTs: number | undefined;
}

export function newPresence(userId: string, local: boolean): UserPresence {
  return {
    userId,
    local,
    presence: "offline",
    statusMsg: undefined,
    lastActiveTs: undefined,
    lastSeenTs: 0,
    remoteCurrentlyActive: false,
    lastFederationTs: 0,
    rooms: [],
    streamPos: 0,
    published: undefined,
  };
}

export function isCurrentlyActive(state: UserPresence, now: number, granularityMs: number): boolean {
  if (state.presence !== "online") return false;
  if (!state.local) return state.remoteCurrentlyActive;
  return state.lastActiveTs !== undefined && now - state.lastActiveTs < granularityMs;
}

export function snapshotOf(state: UserPresence, now: number, granularityMs: number): PublishedPresence {
  return {
    presence: state.presence,
    statusMsg: state.statusMsg,
    currentlyActive: isCurrentlyActive(state, now, granularityMs),
    lastActiveTs: state.lastActiveTs,
  };
}

/**
 * Whether a change is news (Synapse's rules): the state or status changed, currently_active flipped, or the last
 * action moved by more than the granularity while the user is not currently active. A user nobody has heard of
 * who is offline without a status is no news either.
 */
export function worthPublishing(previous: PublishedPresence | undefined, next: PublishedPresence, granularityMs: number): boolean {
  if (!previous) return next.presence !== "offline" || next.statusMsg !== undefined;
  if (previous.presence !== next.presence || previous.statusMsg !== next.statusMsg) return true;
  if (next.presence === "online" && previous.currentlyActive !== next.currentlyActive) return true;
  const activeMoved = (next.lastActiveTs ?? 0) - (previous.lastActiveTs ?? 0) > granularityMs;
  return activeMoved && !next.currentlyActive;
}

/** The content of m.presence (sync), the GET answer, and a push entry of the m.presence EDU (with user_id). */
export function presenceContent(state: UserPresence, now: number, granularityMs: number): PresenceContent {
  const content: PresenceContent = { presence: state.presence };
  if (state.lastActiveTs !== undefined) content.last_active_ago = Math.max(0, now - state.lastActiveTs);
  if (state.presence === "online") content.currently_active = isCurrentlyActive(state, now, granularityMs);
  if (state.statusMsg !== undefined) content.status_msg = state.statusMsg;
  return content;
}
