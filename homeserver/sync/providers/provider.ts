import type { StreamName, StreamPositions } from "../../streams/sync-token.js";
import type { JoinedRoomJson, SyncResponse } from "../../../schemas/client/sync/get-sync.js";
import type { RoomsInWindow } from "../rooms-in-window.js";
import type { SyncScope } from "../sync-context.js";

/**
 * The top-level sections of a response, each filled by one provider: rooms (the timeline's), account_data,
 * presence, and later to_device and device_lists.
 */
export type TopLevelParts = Omit<SyncResponse, "next_batch">;

/**
 * What streams other than the room's own events add to a room's section, in the section's wire shape. A section
 * takes the parts it has a place for: a left room has account_data but no ephemeral.
 */
export type RoomParts = Partial<Pick<JoinedRoomJson, "ephemeral" | "account_data" | "unread_notifications" | "unread_thread_notifications">>;

/**
 * One provider's part of a response. Only what holds something is given: an absent part is what "nothing
 * new" means to the long-poll (hasContent) and to shared responses. Lists of the same part from several
 * providers are joined in provider order (receipts, then typing, in a room's ephemeral).
 */
export interface StreamContribution {
  top?: TopLevelParts;
  /** Room id -> parts, only for rooms with something: a joined room with parts is sent even when its timeline is quiet. */
  roomParts?: ReadonlyMap<string, RoomParts>;
  /**
   * Positions next_batch must not go past, for a stream that sent only part of its window (to-device sends at
   * most 100 messages a response). next_batch otherwise promises the whole window up to `to`: the client's next
   * sync would start after the messages left behind, which would never be sent. The builder takes the lowest.
   */
  positions?: Partial<StreamPositions>;
}

/** One sync's window (since, to] for one user, as a provider's cheap check sees it. */
export interface SyncWindow {
  scope: SyncScope;
  /**
   * The token's positions; undefined for an initial sync. full_state does not clear it: each stream decides what
   * full_state means for it (see `resentSince`).
   */
  since: StreamPositions | undefined;
  /** Published positions: what next_batch promises to cover. */
  to: StreamPositions;
}

/** The window with the user's rooms in it, as providers read it. */
export interface SyncRequest extends SyncWindow {
  rooms: RoomsInWindow;
}

/** The response as far as the first pass and the earlier second passes have built it. */
export interface SyncDraft {
  top: TopLevelParts;
  roomParts: ReadonlyMap<string, RoomParts>;
}

/**
 * What a provider knows without reading: nothing new for this user in the window ("none"); something new on
 * the stream, perhaps only for others, so only a read tells ("stream"); or news of this very user ("user",
 * e.g. the stream index saw their account data change; also when the index cannot tell).
 */
export type WindowNews = "none" | "stream" | "user";

/**
 * One stream of /sync, as Dendrite's syncapi/streams has one provider per stream. The builder works out the
 * user's rooms, then runs every provider's `collect` side by side, then every `complete` in provider order, and
 * puts their parts together; it knows no stream by name. A new stream (to-device, device lists, notification
 * counts) is one more provider in `syncStreamProviders`.
 */
export interface SyncStreamProvider {
  /** The sync-token position this provider reads up to. */
  readonly stream: StreamName;
  /**
   * Whether its part can differ between members who share a room, a filter and a window (their other rooms,
   * their own data). Shared responses hand one member's response to another only when every per-user provider
   * contributes nothing to either. The timeline is not: a room's events in a window are the same for its
   * members, and shared responses check its exceptions (own events, lazy-loaded members) themselves.
   */
  readonly perUser: boolean;
  /** Cheap, no read: "none" skips `collect` (never `complete`). */
  news(window: SyncWindow): WindowNews;
  /** First pass: this stream's part of the window, read side by side with the other providers'. */
  collect?(request: SyncRequest): Promise<StreamContribution>;
  /**
   * Second pass, always run, in provider order, once every first pass is in: for parts that depend on others'
   * (the timeline's room sections on the rooms with parts, presence on the users the timeline shows joining).
   * Shared responses never run it: a second pass must add nothing to a window they share (one room's new
   * messages, no membership change).
   */
  complete?(request: SyncRequest, draft: SyncDraft): Promise<StreamContribution>;
}

/** `since`, unless full_state asks for the stream's current state again (as receipts, typing and presence do). */
export function resentSince(window: SyncWindow): StreamPositions | undefined {
  return window.scope.fullState ? undefined : window.since;
}

export function contributed(contribution: StreamContribution): boolean {
  return Object.keys(contribution.top ?? {}).length > 0 || (contribution.roomParts?.size ?? 0) > 0;
}

/** What a provider with nothing for the window gives. */
export const NOTHING: StreamContribution = Object.freeze({});
