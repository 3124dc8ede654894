/** PUT /rooms/{roomId}/redact/{eventId}/{txnId} */
export const redactParams = {
  type: "object",
  required: ["roomId", "eventId", "txnId"],
  properties: { roomId: { type: "string" }, eventId: { type: "string" }, txnId: { type: "string", minLength: 1 } },
} as const;
export const redactBody = { type: "object", properties: { reason: { type: "string" } } } as const;
