import type { ClientEventJson } from "./client-event.js";

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
