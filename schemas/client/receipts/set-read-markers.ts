import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/rooms/{roomId}/read_markers */
export const setReadMarkersParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: { type: "string", pattern: "^![^\\u0000]+$", maxLength: 255 } },
} as const;

const eventId = { type: "string", minLength: 1 } as const;

export const setReadMarkersBody = {
  type: "object",
  properties: { "m.fully_read": eventId, "m.read": eventId, "m.read.private": eventId },
} as const;

export interface SetReadMarkersRequest {
  "m.fully_read"?: string;
  "m.read"?: string;
  "m.read.private"?: string;
}

export interface SetReadMarkersParams {
  roomId: string;
}

export const setReadMarkersRoute: ClientRoute<"required", { params: SetReadMarkersParams; body: SetReadMarkersRequest; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/read_markers",
  auth: "required",
  rateLimited: true,
  params: setReadMarkersParams,
  body: setReadMarkersBody,
};
