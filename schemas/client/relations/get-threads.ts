import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type ClientEventJson, type RoomIdParams } from "../room-reads/client-event.js";

/** GET /_matrix/client/v1/rooms/{roomId}/threads: the room's thread roots, the most recently active first. */
export const getThreadsQuery = {
  type: "object",
  properties: {
    include: { type: "string", enum: ["all", "participated"] },
    from: { type: "string" },
    // The spec: an integer greater than zero.
    limit: { type: "integer", minimum: 1 },
  },
} as const;

export interface GetThreadsQuery {
  include?: "all" | "participated";
  from?: string;
  limit?: number;
}

export interface GetThreadsResponse {
  chunk: ClientEventJson[];
  next_batch?: string;
}

export const getThreadsRoute: ClientRoute<"required", { params: RoomIdParams; query: GetThreadsQuery; response: GetThreadsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v1/rooms/:roomId/threads",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
  query: getThreadsQuery,
};
