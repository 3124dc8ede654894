import type { ClientRoute } from "../client-route.js";
import { roomEventParams, type ClientEventJson, type RoomEventParams } from "./client-event.js";

/** GET /_matrix/client/v3/rooms/{roomId}/context/{eventId} */
export const getContextQuery = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 0 },
    filter: { type: "string" },
  },
} as const;

export interface GetContextQuery {
  limit?: number;
  filter?: string;
}

export interface GetContextResponse {
  start?: string;
  end?: string;
  events_before: ClientEventJson[];
  event: ClientEventJson;
  events_after: ClientEventJson[];
  state: ClientEventJson[];
}

export const getContextRoute: ClientRoute<"required", { params: RoomEventParams; query: GetContextQuery; response: GetContextResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/context/:eventId",
  auth: "required",
  rateLimited: false,
  params: roomEventParams,
  query: getContextQuery,
};
