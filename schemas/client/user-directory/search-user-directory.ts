import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/user_directory/search (searchUserDirectory). */
export interface SearchUserDirectoryRequest {
  search_term: string;
  /** At most this many results; 10 when left out. */
  limit?: number;
}

export interface UserDirectoryEntry {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
}

export interface SearchUserDirectoryResponse {
  results: UserDirectoryEntry[];
  /** More users matched than `limit` let through. */
  limited: boolean;
}

export const searchUserDirectoryBodySchema = {
  type: "object",
  required: ["search_term"],
  properties: {
    search_term: { type: "string" },
    limit: { type: "integer" },
  },
} as const;

export const searchUserDirectoryRoute: ClientRoute<"required", { body: SearchUserDirectoryRequest; response: SearchUserDirectoryResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/user_directory/search",
  auth: "required",
  rateLimited: true,
  body: searchUserDirectoryBodySchema,
};
