import type { ClientRoute } from "../client-route.js";
import type { ClientEventJson } from "../room-reads/client-event.js";

/**
 * GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]: the events that relate to
 * an event, newest first by default, optionally only those of one rel_type and one event type.
 */
export const getRelationsQuery = {
  type: "object",
  properties: {
    from: { type: "string" },
    to: { type: "string" },
    limit: { type: "integer", minimum: 0 },
    dir: { type: "string", enum: ["b", "f"] },
    recurse: { type: "boolean" },
  },
} as const;

export interface GetRelationsQuery {
  from?: string;
  to?: string;
  limit?: number;
  dir?: "b" | "f";
  recurse?: boolean;
}

export interface GetRelationsResponse {
  chunk: ClientEventJson[];
  next_batch?: string;
  prev_batch?: string;
  /** Present exactly when the request said whether to recurse. */
  recursion_depth?: number;
}

const nonEmpty = { type: "string", minLength: 1 } as const;

export const relationsParams = {
  type: "object",
  required: ["roomId", "eventId"],
  properties: { roomId: nonEmpty, eventId: nonEmpty, relType: nonEmpty, eventType: nonEmpty },
} as const;

export interface RelationsParams {
  roomId: string;
  eventId: string;
  relType?: string;
  eventType?: string;
}

type RelationsRoute = ClientRoute<"required", { params: RelationsParams; query: GetRelationsQuery; response: GetRelationsResponse }>;

const route = (path: string): RelationsRoute => ({
  method: "GET",
  path,
  auth: "required",
  rateLimited: false,
  params: relationsParams,
  query: getRelationsQuery,
});

export const getRelatingEventsRoute = route("/_matrix/client/v1/rooms/:roomId/relations/:eventId");
export const getRelatingEventsWithRelTypeRoute = route("/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType");
export const getRelatingEventsWithRelTypeAndEventTypeRoute = route("/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType/:eventType");
