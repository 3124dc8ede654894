/** GET /_matrix/federation/v1/query/profile?user_id=&field= (queryProfile): one of our users. */
export interface QueryProfileResponse {
  displayname?: string;
  avatar_url?: string;
}

export const queryProfileQuery = {
  type: "object",
  required: ["user_id"],
  properties: { user_id: { type: "string", minLength: 1 }, field: { type: "string" } },
} as const;

export interface QueryProfileQuery {
  user_id: string;
  field?: string;
}
