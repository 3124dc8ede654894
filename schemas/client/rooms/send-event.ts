/** PUT /rooms/{roomId}/send/{eventType}/{txnId} and PUT /rooms/{roomId}/state/{eventType}/{stateKey} */
export const sendEventParams = {
  type: "object",
  required: ["roomId", "eventType", "txnId"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 }, txnId: { type: "string", minLength: 1 } },
} as const;

/** POST /rooms/{roomId}/send/{eventType}: the older form without a txnId, which Synapse still serves. */
export const sendEventWithoutTxnParams = {
  type: "object",
  required: ["roomId", "eventType"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 } },
} as const;

export const stateEventParams = {
  type: "object",
  required: ["roomId", "eventType"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 }, stateKey: { type: "string" } },
} as const;

/** Event content is any JSON object. */
export const eventContentBody = { type: "object" } as const;

export interface SendEventResponse {
  event_id: string;
}
