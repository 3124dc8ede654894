import type { ClientRoute } from "../client-route.js";

/** PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId} (setTyping): answers {}. */
export interface SetTypingParams {
  roomId: string;
  userId: string;
}

export interface SetTypingRequest {
  typing: boolean;
  /** Milliseconds; the server caps it. */
  timeout?: number;
}

export const setTypingParamsSchema = {
  type: "object",
  required: ["roomId", "userId"],
  properties: { roomId: { type: "string", pattern: "^!" }, userId: { type: "string", pattern: "^@" } },
} as const;

export const setTypingBodySchema = {
  type: "object",
  required: ["typing"],
  properties: {
    typing: { type: "boolean" },
    timeout: { type: "integer" },
  },
} as const;

export const setTypingRoute: ClientRoute<"required", { params: SetTypingParams; body: SetTypingRequest; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/rooms/:roomId/typing/:userId",
  auth: "required",
  rateLimited: true,
  params: setTypingParamsSchema,
  body: setTypingBodySchema,
};
