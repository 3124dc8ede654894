// The few fields of the /sync response the scenarios read (the spec schema validates the rest).

export interface ClientEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
}

export interface StrippedStateEvent {
  type: string;
  sender: string;
  state_key: string;
  content: Record<string, unknown>;
}

export interface JoinedRoomSync {
  timeline?: { events: ClientEvent[]; limited?: boolean; prev_batch?: string };
  state?: { events: ClientEvent[] };
}

export interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, JoinedRoomSync>;
    invite?: Record<string, { invite_state?: { events: StrippedStateEvent[] } }>;
    leave?: Record<string, unknown>;
  };
}
