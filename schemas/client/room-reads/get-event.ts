/** GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}: answers one ClientEvent (see client-event.ts). */
export { roomEventParams as getEventParams } from "./client-event.js";
