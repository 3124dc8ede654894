import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type RoomIdParams } from "../room-reads/client-event.js";

/** POST /_matrix/client/v3/rooms/{roomId}/report (reportRoom, v1.13). */
export interface ReportRoomBody {
  reason: string;
}

export const reportRoomRoute: ClientRoute<"required", { params: RoomIdParams; body: ReportRoomBody; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/report",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  body: { type: "object", required: ["reason"], properties: { reason: { type: "string" } } },
};
