import type { ClientRoute } from "../client-route.js";
import { roomEventParams, type ClientEventJson, type RoomEventParams } from "./client-event.js";

/** GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}: answers one ClientEvent (see client-event.ts). */
export const getEventRoute: ClientRoute<"required", { params: RoomEventParams; response: ClientEventJson }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/event/:eventId",
  auth: "required",
  rateLimited: false,
  params: roomEventParams,
};
