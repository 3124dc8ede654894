/** Shared JSON Schema fragments for Matrix identifiers on the wire. */
export const userIdSchema = { type: "string", pattern: "^@[^:]+:.+$", maxLength: 255 } as const;
export const roomIdSchema = { type: "string", pattern: "^!.+$", maxLength: 255 } as const;
export const jsonObjectSchema = { type: "object" } as const;
export const optionalReason = { reason: { type: "string" } } as const;

/** JSON as a body parser yields it: what a schema that only says "object" lets through. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
