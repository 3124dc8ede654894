import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type RoomIdParams } from "../room-reads/client-event.js";

/** GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event?ts=&dir= (v1.6). */
export interface TimestampToEventQuery {
  ts: number;
  dir: "f" | "b";
}

export interface TimestampToEventResponse {
  event_id: string;
  origin_server_ts: number;
}

/** Shared with the federation endpoint: ts within what both databases hold exactly. */
export const timestampToEventQuery = {
  type: "object",
  required: ["ts", "dir"],
  properties: {
    ts: { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 },
    dir: { type: "string", enum: ["f", "b"] },
  },
} as const;

export const timestampToEventRoute: ClientRoute<"required", { params: RoomIdParams; query: TimestampToEventQuery; response: TimestampToEventResponse }> = {
  method: "GET",
  path: "/_matrix/client/v1/rooms/:roomId/timestamp_to_event",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  query: timestampToEventQuery,
};
