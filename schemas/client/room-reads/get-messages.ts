import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type ClientEventJson, type RoomIdParams } from "./client-event.js";

/** GET /_matrix/client/v3/rooms/{roomId}/messages */
export const getMessagesQuery = {
  type: "object",
  required: ["dir"],
  properties: {
    from: { type: "string" },
    to: { type: "string" },
    dir: { type: "string", enum: ["b", "f"] },
    limit: { type: "integer", minimum: 0 },
    filter: { type: "string" },
  },
} as const;

export interface GetMessagesQuery {
  from?: string;
  to?: string;
  dir: "b" | "f";
  limit?: number;
  /** A RoomEventFilter as JSON. */
  filter?: string;
}

export interface GetMessagesResponse {
  start: string;
  end?: string;
  chunk: ClientEventJson[];
  state?: ClientEventJson[];
}

export const getMessagesRoute: ClientRoute<"required", { params: RoomIdParams; query: GetMessagesQuery; response: GetMessagesResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/messages",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
  query: getMessagesQuery,
};
