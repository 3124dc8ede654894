/** Shared JSON Schema fragments for Matrix identifiers on the wire. */
export const userIdSchema = { type: "string", pattern: "^@[^:]+:.+$", maxLength: 255 } as const;
export const roomIdSchema = { type: "string", pattern: "^!.+$", maxLength: 255 } as const;
export const jsonObjectSchema = { type: "object" } as const;
export const optionalReason = { reason: { type: "string" } } as const;
