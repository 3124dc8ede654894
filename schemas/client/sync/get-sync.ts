import type { ClientRoute } from "../client-route.js";
import type { StrippedStateEventJson } from "../room-reads/client-event.js";

/** GET /_matrix/client/v3/sync */
export const getSyncQuery = {
  type: "object",
  properties: {
    filter: { type: "string" },
    since: { type: "string" },
    full_state: { type: "boolean" },
    set_presence: { type: "string", enum: ["offline", "online", "unavailable"] },
    timeout: { type: "integer" },
    use_state_after: { type: "boolean" },
  },
} as const;

export interface GetSyncQuery {
  /** A filter id, or a Filter as JSON (it then starts with "{"). */
  filter?: string;
  since?: string;
  full_state?: boolean;
  set_presence?: "offline" | "online" | "unavailable";
  timeout?: number;
  use_state_after?: boolean;
}

/** ClientEventWithoutRoomID, possibly trimmed by the filter's event_fields. */
export type SyncEventJson = {
  content?: Record<string, unknown>;
  event_id?: string;
  origin_server_ts?: number;
  sender?: string;
  type?: string;
  state_key?: string;
  redacts?: string;
  unsigned?: Record<string, unknown>;
};

export interface BasicEventJson {
  type: string;
  content: Record<string, unknown>;
}

export interface TimelineJson {
  events: SyncEventJson[];
  limited?: boolean;
  prev_batch?: string;
}

export interface RoomSummaryJson {
  "m.heroes"?: string[];
  "m.joined_member_count"?: number;
  "m.invited_member_count"?: number;
}

/** `state` normally; `state_after` instead when the request set use_state_after. */
export interface RoomStateJson {
  state?: { events: SyncEventJson[] };
  state_after?: { events: SyncEventJson[] };
}

export interface JoinedRoomJson extends RoomStateJson {
  summary: RoomSummaryJson;
  timeline: TimelineJson;
  ephemeral: { events: BasicEventJson[] };
  account_data: { events: BasicEventJson[] };
  unread_notifications: UnreadCountsJson;
  /** With the timeline filter's unread_thread_notifications: per thread root, those with something unread. */
  unread_thread_notifications?: Record<string, UnreadCountsJson>;
}

export interface UnreadCountsJson {
  highlight_count?: number;
  notification_count?: number;
}

export interface InvitedRoomJson {
  invite_state: { events: StrippedStateEventJson[] };
}

export interface KnockedRoomJson {
  knock_state: { events: StrippedStateEventJson[] };
}

export interface LeftRoomJson extends RoomStateJson {
  timeline: TimelineJson;
  account_data: { events: BasicEventJson[] };
}

/** Empty sections are left out, as Synapse does; the spec makes every one of them optional. */
export interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, JoinedRoomJson>;
    invite?: Record<string, InvitedRoomJson>;
    knock?: Record<string, KnockedRoomJson>;
    leave?: Record<string, LeftRoomJson>;
  };
  account_data?: { events: BasicEventJson[] };
  presence?: { events: BasicEventJson[] };
  to_device?: { events: Array<Record<string, unknown>> };
  device_lists?: { changed?: string[]; left?: string[] };
  /** The syncing device's one-time keys left, by algorithm (signed_curve25519 always present). */
  device_one_time_keys_count?: Record<string, number>;
  /** Algorithms whose fallback key the device uploaded and nobody has claimed yet. */
  device_unused_fallback_key_types?: string[];
}

/** A long-poll: the wait ends early when the client goes away or the server shuts down. */
export const getSyncRoute: ClientRoute<"required", { query: GetSyncQuery; response: SyncResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/sync",
  auth: "required",
  rateLimited: false,
  query: getSyncQuery,
};
