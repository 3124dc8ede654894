/** Path parameters of the /profile/{userId} endpoints. */
export interface ProfileParams {
  userId: string;
}

export interface ProfileFieldParams extends ProfileParams {
  keyName: string;
}

export const profileParamsSchema = {
  type: "object",
  required: ["userId"],
  properties: { userId: { type: "string" } },
} as const;

export const profileFieldParamsSchema = {
  type: "object",
  required: ["userId", "keyName"],
  properties: {
    userId: { type: "string" },
    keyName: { type: "string", pattern: "^(avatar_url|displayname|m\\.tz|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+)$" },
  },
} as const;
