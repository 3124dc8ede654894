import type { ClientRoute } from "../client-route.js";
import { filterSchema, type RoomEventFilter } from "../filters/define-filter.js";
import type { ClientEventJson } from "../room-reads/client-event.js";

/** POST /_matrix/client/v3/search?next_batch= (the spec's one category, room_events). */
export type SearchKey = "content.body" | "content.name" | "content.topic";
export type SearchOrderBy = "recent" | "rank";
export type SearchGroupKey = "room_id" | "sender";

export interface RoomEventsCriteria {
  search_term: string;
  keys?: SearchKey[];
  filter?: RoomEventFilter;
  order_by?: SearchOrderBy;
  event_context?: { before_limit?: number; after_limit?: number; include_profile?: boolean };
  include_state?: boolean;
  groupings?: { group_by?: Array<{ key?: SearchGroupKey }> };
}

export interface SearchRequest {
  search_categories: { room_events?: RoomEventsCriteria } & Record<string, unknown>;
}

export interface SearchQuery {
  next_batch?: string;
}

export interface SearchProfileInfo {
  displayname?: string;
  avatar_url?: string;
}

export interface SearchResultContext {
  start?: string;
  end?: string;
  events_before: ClientEventJson[];
  events_after: ClientEventJson[];
  profile_info?: Record<string, SearchProfileInfo>;
}

export interface SearchResultJson {
  rank: number;
  result: ClientEventJson;
  context?: SearchResultContext;
}

export interface SearchGroupJson {
  results: string[];
  order: number;
  next_batch?: string;
}

export interface RoomEventsResults {
  results: SearchResultJson[];
  count: number;
  highlights: string[];
  next_batch?: string;
  state?: Record<string, ClientEventJson[]>;
  groups?: Partial<Record<SearchGroupKey, Record<string, SearchGroupJson>>>;
}

export interface SearchResponse {
  search_categories: { room_events?: RoomEventsResults };
}

/**
 * Longer search terms are refused: websearch_to_tsquery's work grows faster than the text (about 30 s for
 * 800 KB), and no one types this much into a search box.
 */
export const MAX_SEARCH_TERM_LENGTH = 4096;

const roomEventsCriteriaSchema = {
  type: "object",
  required: ["search_term"],
  properties: {
    search_term: { type: "string", maxLength: MAX_SEARCH_TERM_LENGTH },
    keys: { type: "array", items: { type: "string", enum: ["content.body", "content.name", "content.topic"] } },
    filter: filterSchema.properties.room.properties.timeline,
    order_by: { type: "string", enum: ["recent", "rank"] },
    event_context: {
      type: "object",
      properties: {
        before_limit: { type: "integer", minimum: 0 },
        after_limit: { type: "integer", minimum: 0 },
        include_profile: { type: "boolean" },
      },
    },
    include_state: { type: "boolean" },
    groupings: {
      type: "object",
      properties: {
        group_by: {
          type: "array",
          items: { type: "object", properties: { key: { type: "string", enum: ["room_id", "sender"] } } },
        },
      },
    },
  },
} as const;

export const searchBodySchema = {
  type: "object",
  required: ["search_categories"],
  properties: {
    search_categories: { type: "object", properties: { room_events: roomEventsCriteriaSchema } },
  },
} as const;

export const searchQuerySchema = {
  type: "object",
  properties: { next_batch: { type: "string" } },
} as const;

export const searchRoute: ClientRoute<"required", { query: SearchQuery; body: SearchRequest; response: SearchResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/search",
  auth: "required",
  rateLimited: true,
  query: searchQuerySchema,
  body: searchBodySchema,
};
