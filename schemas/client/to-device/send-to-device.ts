import type { ClientRoute } from "../client-route.js";

/** `{eventType}` and `{txnId}` of PUT /sendToDevice/{eventType}/{txnId}. */
export interface SendToDeviceParams {
  eventType: string;
  txnId: string;
}

/** The request body: user id -> device id (or `*`, every device of the user) -> message content. */
export interface SendToDeviceBody {
  messages: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId} (sendToDevice). The body's shape is checked here
 * (400 M_BAD_JSON); the user and device ids are checked by the service (400 M_INVALID_PARAM). The server's body
 * limit (max_request_body_bytes) bounds a request's size.
 */
export const sendToDeviceRoute: ClientRoute<"required", { params: SendToDeviceParams; body: SendToDeviceBody; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/sendToDevice/:eventType/:txnId",
  auth: "required",
  // The spec does not rate-limit it, and clients send bursts of key shares through it.
  rateLimited: false,
  params: {
    type: "object",
    required: ["eventType", "txnId"],
    properties: { eventType: { type: "string", minLength: 1 }, txnId: { type: "string", minLength: 1 } },
  },
  body: {
    type: "object",
    required: ["messages"],
    properties: {
      messages: {
        type: "object",
        additionalProperties: { type: "object", additionalProperties: { type: "object" } },
      },
    },
  },
};
