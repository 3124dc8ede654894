/** PUT /rooms/{roomId}/redact/{eventId}/{txnId} */
export const redactParams = {
  type: "object",
  required: ["roomId", "eventId", "txnId"],
  properties: { roomId: { type: "string" }, eventId: { type: "string" }, txnId: { type: "string", minLength: 1 } },
} as const;
/** POST /rooms/{roomId}/redact/{eventId}: the older form without a txnId, which Synapse still serves. */
export const redactWithoutTxnParams = {
  type: "object",
  required: ["roomId", "eventId"],
  properties: { roomId: { type: "string" }, eventId: { type: "string" } },
} as const;
export const redactBody = { type: "object", properties: { reason: { type: "string" } } } as const;
