import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId} */
export const postReceiptParams = {
  type: "object",
  required: ["roomId", "receiptType", "eventId"],
  properties: {
    roomId: { type: "string", pattern: "^![^\\u0000]+$", maxLength: 255 },
    // Unknown receipt types are the spec's 400 M_INVALID_PARAM, which a failed path check answers.
    receiptType: { type: "string", enum: ["m.read", "m.read.private", "m.fully_read"] },
    eventId: { type: "string", pattern: "^\\$[^\\u0000]+$", maxLength: 255 },
  },
} as const;

/**
 * thread_id is left untyped here on purpose: the spec answers a thread_id that is not a non-empty string
 * with M_INVALID_PARAM, where a failed body check would say M_BAD_JSON; the receipts service checks it.
 */
export const postReceiptBody = {
  type: "object",
  properties: { thread_id: {} },
} as const;

export interface PostReceiptParams {
  roomId: string;
  receiptType: "m.read" | "m.read.private" | "m.fully_read";
  eventId: string;
}

export interface PostReceiptRequest {
  thread_id?: unknown;
}

export const postReceiptRoute: ClientRoute<"required", { params: PostReceiptParams; body: PostReceiptRequest; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId",
  auth: "required",
  rateLimited: true,
  params: postReceiptParams,
  body: postReceiptBody,
};
