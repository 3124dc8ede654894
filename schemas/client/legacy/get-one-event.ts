import type { ClientRoute } from "../client-route.js";
import type { ClientEventJson } from "../room-reads/client-event.js";

/** GET /_matrix/client/v3/events/{eventId} (deprecated; replaced by /rooms/{roomId}/event/{eventId}). */
export interface GetOneEventParams {
  eventId: string;
}

export const getOneEventRoute: ClientRoute<"required", { params: GetOneEventParams; response: ClientEventJson }> = {
  method: "GET",
  path: "/_matrix/client/v3/events/:eventId",
  auth: "required",
  rateLimited: false,
  params: { type: "object", required: ["eventId"], properties: { eventId: { type: "string", minLength: 1 } } },
};
