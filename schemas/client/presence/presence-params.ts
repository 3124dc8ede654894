/** Path parameters of /presence/{userId}/status. */
export interface PresenceParams {
  userId: string;
}

export const presenceParamsSchema = {
  type: "object",
  required: ["userId"],
  properties: { userId: { type: "string", pattern: "^@" } },
} as const;
