import type { ClientRoute } from "../client-route.js";
import { roomEventParams, type RoomEventParams } from "../room-reads/client-event.js";

/** POST /_matrix/client/v3/rooms/{roomId}/report/{eventId} (reportEvent). */
export interface ReportEventBody {
  reason?: string;
  /** Removed in v1.18; still accepted from older clients (within a 32-bit integer, which it is stored as). */
  score?: number;
}

export const reportEventRoute: ClientRoute<"required", { params: RoomEventParams; body: ReportEventBody; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/report/:eventId",
  auth: "required",
  rateLimited: true,
  params: roomEventParams,
  body: {
    type: "object",
    properties: { reason: { type: "string" }, score: { type: "integer", minimum: -2147483648, maximum: 2147483647 } },
  },
};
