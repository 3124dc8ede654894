import type { ClientRoute } from "../client-route.js";
import type { Filter } from "../filters/define-filter.js";
import type { SyncResponse } from "./get-sync.js";

/**
 * GET /_matrix/client/unstable/org.myelin.sync_ws: /sync over a WebSocket (Myelin's unstable protocol,
 * docs/websocket-sync.md). Every message is one JSON object in a text frame; `type` says what it is.
 */
export const SYNC_WEBSOCKET_PATH = "/_matrix/client/unstable/org.myelin.sync_ws";
/**
 * The upgrade request. Its token is checked before the handshake, like any request's, so a bad one gets the
 * plain HTTP 401 and no socket opens; a GET without an Upgrade header is answered 426.
 */
export const syncWebSocketRoute: ClientRoute<"required", { response: never }> = {
  method: "GET",
  path: SYNC_WEBSOCKET_PATH,
  auth: "required",
  rateLimited: false,
};

/** Optional: a client that offers subprotocols must offer this one. */
export const SYNC_WEBSOCKET_SUBPROTOCOL = "org.myelin.sync.v1";

const setPresence = { type: "string", enum: ["offline", "online", "unavailable"] } as const;
const pingId = { type: ["string", "integer"] } as const;

/** Client -> server, first message: what GET /sync takes as query parameters (filter may be an object). */
export const syncWsSyncMessage = {
  type: "object",
  required: ["type"],
  properties: {
    type: { const: "sync" },
    filter: { type: ["string", "object"] },
    since: { type: "string" },
    set_presence: setPresence,
    full_state: { type: "boolean" },
    use_state_after: { type: "boolean" },
  },
} as const;

/** Client -> server: the client has stored the response with this next_batch (and every one before it). */
export const syncWsAckMessage = {
  type: "object",
  required: ["type", "next_batch"],
  properties: { type: { const: "ack" }, next_batch: { type: "string", minLength: 1 } },
} as const;

export const syncWsPingMessage = {
  type: "object",
  required: ["type"],
  properties: { type: { const: "ping" }, id: pingId },
} as const;

/** Client -> server: one client-server API call carried over the socket, answered by a `response` with the same id. */
export const syncWsRequestMessage = {
  type: "object",
  required: ["type", "id", "method", "path"],
  properties: {
    type: { const: "request" },
    id: { type: "string", minLength: 1, maxLength: 255 },
    method: { type: "string", enum: ["GET", "POST", "PUT", "DELETE"] },
    path: { type: "string", pattern: "^/_matrix/client/", maxLength: 8192 },
    body: { type: "object" },
  },
} as const;

export interface SyncWsSyncMessage {
  type: "sync";
  /** A filter id, a filter as JSON text, or the filter object itself. */
  filter?: string | Filter;
  since?: string;
  set_presence?: "offline" | "online" | "unavailable";
  full_state?: boolean;
  use_state_after?: boolean;
}

export interface SyncWsAckMessage {
  type: "ack";
  next_batch: string;
}

export interface SyncWsPingMessage {
  type: "ping";
  id?: string | number;
}

export interface SyncWsRequestMessage {
  type: "request";
  id: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
}

export type SyncWsClientMessage = SyncWsSyncMessage | SyncWsAckMessage | SyncWsPingMessage | SyncWsRequestMessage;

/** Server -> client. */
export type SyncWsServerMessage =
  | { type: "sync"; response: SyncResponse }
  | { type: "pong"; id?: string | number }
  | { type: "response"; id: string; status: number; body?: unknown }
  /** `request_type` names the client message that caused it; `fatal` errors are followed by a close. */
  | { type: "error"; errcode: string; error: string; request_type?: string; fatal?: boolean; [extra: string]: unknown };
