import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/user/{userId}/filter (defineFilter). The Filter types follow the spec's schema. */
export interface EventFilter {
  limit?: number;
  not_senders?: string[];
  not_types?: string[];
  senders?: string[];
  types?: string[];
}

export interface RoomEventFilter extends EventFilter {
  unread_thread_notifications?: boolean;
  lazy_load_members?: boolean;
  include_redundant_members?: boolean;
  not_rooms?: string[];
  rooms?: string[];
  contains_url?: boolean;
  /** Only events that an event with one of these rel_types relates to (threads: m.thread). */
  related_by_rel_types?: string[];
  /** Only events that an event from one of these senders relates to. */
  related_by_senders?: string[];
}

export interface RoomFilter {
  not_rooms?: string[];
  rooms?: string[];
  ephemeral?: RoomEventFilter;
  include_leave?: boolean;
  state?: RoomEventFilter;
  timeline?: RoomEventFilter;
  account_data?: RoomEventFilter;
}

export interface Filter {
  event_fields?: string[];
  event_format?: "client" | "federation";
  presence?: EventFilter;
  account_data?: EventFilter;
  room?: RoomFilter;
}

export interface DefineFilterResponse {
  filter_id: string;
}

export interface FilterUserParams {
  userId: string;
}

export const filterUserParamsSchema = {
  type: "object",
  required: ["userId"],
  properties: { userId: { type: "string" } },
} as const;

const strings = { type: "array", items: { type: "string" } } as const;

// Loose on purpose: unknown keys are allowed (clients send extensions), only the known keys' types are checked.
const eventFilterProperties = {
  limit: { type: "integer", minimum: 0 },
  not_senders: strings,
  not_types: strings,
  senders: strings,
  types: strings,
} as const;

const eventFilterSchema = { type: "object", properties: eventFilterProperties } as const;

const roomEventFilterSchema = {
  type: "object",
  properties: {
    ...eventFilterProperties,
    unread_thread_notifications: { type: "boolean" },
    lazy_load_members: { type: "boolean" },
    include_redundant_members: { type: "boolean" },
    not_rooms: strings,
    rooms: strings,
    contains_url: { type: "boolean" },
    related_by_rel_types: strings,
    related_by_senders: strings,
  },
} as const;

export const filterSchema = {
  type: "object",
  properties: {
    event_fields: strings,
    event_format: { type: "string", enum: ["client", "federation"] },
    presence: eventFilterSchema,
    account_data: eventFilterSchema,
    room: {
      type: "object",
      properties: {
        not_rooms: strings,
        rooms: strings,
        ephemeral: roomEventFilterSchema,
        include_leave: { type: "boolean" },
        state: roomEventFilterSchema,
        timeline: roomEventFilterSchema,
        account_data: roomEventFilterSchema,
      },
    },
  },
} as const;

export const defineFilterBodySchema = filterSchema;

/** The stored filter keeps keys the schema does not name: clients send extensions. */
export type DefineFilterRequest = Filter & Record<string, unknown>;

export const defineFilterRoute: ClientRoute<"required", { params: FilterUserParams; body: DefineFilterRequest; response: DefineFilterResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/user/:userId/filter",
  auth: "required",
  rateLimited: true,
  params: filterUserParamsSchema,
  body: defineFilterBodySchema,
};
