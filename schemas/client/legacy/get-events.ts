import type { ClientRoute } from "../client-route.js";
import type { ClientEventJson } from "../room-reads/client-event.js";

/**
 * GET /_matrix/client/v3/events (deprecated; replaced by /sync): new events in the user's rooms since
 * `from`, waiting up to `timeout` ms for some. With `room_id` (the spec's peeking form), that room only.
 */
export interface GetEventsQuery {
  from?: string;
  timeout?: number;
  room_id?: string;
}

export interface GetEventsResponse {
  start: string;
  end: string;
  chunk: ClientEventJson[];
}

export const getEventsQuery = {
  type: "object",
  properties: {
    from: { type: "string", maxLength: 255 },
    timeout: { type: "integer", minimum: 0 },
    room_id: { type: "string", pattern: "^!", maxLength: 255 },
  },
} as const;

export const getEventsRoute: ClientRoute<"required", { query: GetEventsQuery; response: GetEventsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/events",
  auth: "required",
  rateLimited: false,
  query: getEventsQuery,
};
