import { Ajv } from "ajv";
import { errors } from "../errors.js";
import { jsonInputProblem } from "../json-limits.js";
import type { EventFilter, Filter, RoomEventFilter } from "../../schemas/client/filters/define-filter.js";
import { filterSchema } from "../../schemas/client/filters/define-filter.js";
import type { EventSqlFilter } from "../storage/stores/timeline-store.js";
import type { StreamName } from "../streams/sync-token.js";

export type { EventFilter, Filter, RoomEventFilter };

const DEFAULT_TIMELINE_LIMIT = 10;
/** Large enough for clients that catch up in one go (tests use 1000), small enough to bound one response. */
export const MAX_TIMELINE_LIMIT = 1000;

const ajv = new Ajv({ strict: false, allErrors: false });
const validateFilter = ajv.compile(filterSchema);
const validateRoomEventFilter = ajv.compile(filterSchema.properties.room.properties.timeline);

/** A sync filter with its defaults applied, in the shape the builder reads. */
export interface SyncFilter {
  timeline: RoomEventFilter;
  state: RoomEventFilter;
  roomAccountData: RoomEventFilter;
  accountData: EventFilter;
  /** room.ephemeral: m.receipt and m.typing in joined rooms. */
  ephemeral: RoomEventFilter;
  presence: EventFilter;
  rooms?: string[];
  notRooms: string[];
  includeLeave: boolean;
  timelineLimit: number;
  lazyLoadMembers: boolean;
  includeRedundantMembers: boolean;
  /** The timeline filter's unread_thread_notifications: counts per thread, the main timeline's apart. */
  threadedCounts: boolean;
  eventFields?: string[];
}

export function parseJsonParam(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.notJson(`${what} is not valid JSON`);
  }
  const problem = jsonInputProblem(value);
  if (problem) throw errors.badJson(`${what}: ${problem}`);
  return value;
}

export function checkFilter(value: unknown): Filter {
  if (!validateFilter(value)) {
    const first = validateFilter.errors?.[0];
    throw errors.badJson(`Invalid filter: ${first?.instancePath || "(root)"} ${first?.message ?? "is invalid"}`);
  }
  return value as Filter;
}

export function checkRoomEventFilter(value: unknown): RoomEventFilter {
  if (!validateRoomEventFilter(value)) {
    const first = validateRoomEventFilter.errors?.[0];
    throw errors.badJson(`Invalid filter: ${first?.instancePath || "(root)"} ${first?.message ?? "is invalid"}`);
  }
  return value as RoomEventFilter;
}

export function syncFilterOf(filter: Filter = {}): SyncFilter {
  const room = filter.room ?? {};
  const timeline = room.timeline ?? {};
  const state = room.state ?? {};
  return {
    timeline,
    state,
    roomAccountData: room.account_data ?? {},
    accountData: filter.account_data ?? {},
    ephemeral: room.ephemeral ?? {},
    presence: filter.presence ?? {},
    rooms: room.rooms,
    notRooms: room.not_rooms ?? [],
    includeLeave: room.include_leave === true,
    timelineLimit: Math.min(Math.max(0, timeline.limit ?? DEFAULT_TIMELINE_LIMIT), MAX_TIMELINE_LIMIT),
    lazyLoadMembers: state.lazy_load_members === true,
    includeRedundantMembers: state.include_redundant_members === true,
    threadedCounts: timeline.unread_thread_notifications === true,
    eventFields: filter.event_fields,
  };
}

/** The spec's type patterns: "*" matches any sequence of characters. */
export function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes("*")) return pattern === type;
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");
  return regex.test(type);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An absent list allows everything, an empty list nothing; "not_" lists win over the positive ones. */
function listAllows(allowed: readonly string[] | undefined, denied: readonly string[] | undefined, value: string, match = (p: string, v: string) => p === v) {
  if (denied?.some((p) => match(p, value))) return false;
  return allowed === undefined || allowed.some((p) => match(p, value));
}

export function eventFilterAllows(filter: EventFilter, event: { type: string; sender?: string }): boolean {
  if (!listAllows(filter.types, filter.not_types, event.type, typeMatches)) return false;
  if (event.sender !== undefined && !listAllows(filter.senders, filter.not_senders, event.sender)) return false;
  return true;
}

/** What one event shows; related_by_rel_types and related_by_senders need its children (rooms/relations/related-by-filter.ts). */
export function roomEventFilterAllows(
  filter: RoomEventFilter,
  event: { type: string; sender: string; room_id?: string; content: Record<string, unknown> },
): boolean {
  if (!eventFilterAllows(filter, event)) return false;
  if (event.room_id !== undefined && !listAllows(filter.rooms, filter.not_rooms, event.room_id)) return false;
  if (filter.contains_url !== undefined && (typeof event.content.url === "string") !== filter.contains_url) return false;
  return true;
}

export function roomAllowed(filter: SyncFilter, roomId: string): boolean {
  return listAllows(filter.rooms, filter.notRooms, roomId);
}

export function roomListAllows(rooms: readonly string[] | undefined, notRooms: readonly string[] | undefined, roomId: string): boolean {
  return listAllows(rooms, notRooms, roomId);
}

/** The part of a RoomEventFilter the timeline store can apply in SQL. */
export function sqlFilterOf(filter: RoomEventFilter): EventSqlFilter {
  return { types: filter.types, notTypes: filter.not_types, senders: filter.senders, notSenders: filter.not_senders };
}

/**
 * event_fields: keep only the listed dotted paths ("content.body"; a literal dot is written "\.").
 * Applied to the formatted event; an empty or absent list keeps everything.
 */
export function applyEventFields<T extends object>(event: T, fields: readonly string[] | undefined): Partial<T> {
  if (!fields || fields.length === 0) return event;
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const path = field.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, "."));
    let source: unknown = event;
    for (const part of path) {
      source = typeof source === "object" && source !== null ? (source as Record<string, unknown>)[part] : undefined;
    }
    if (source === undefined) continue;
    let target = result;
    path.slice(0, -1).forEach((part) => {
      if (typeof target[part] !== "object" || target[part] === null) target[part] = {};
      target = target[part] as Record<string, unknown>;
    });
    target[path[path.length - 1]] = source;
  }
  return result as Partial<T>;
}

const leftOutCache = new WeakMap<SyncFilter, ReadonlySet<StreamName>>();

/**
 * The streams none of whose changes could reach a response under `filter` (presence, typing and receipts
 * with their types filtered out): a waiting sync need not wake for them. Parsed filters are cached, so this
 * is computed once per filter.
 */
export function streamsLeftOut(filter: SyncFilter): ReadonlySet<StreamName> {
  let streams = leftOutCache.get(filter);
  if (!streams) {
    const left = new Set<StreamName>();
    if (filter.presence.limit === 0 || !eventFilterAllows(filter.presence, { type: "m.presence" })) left.add("presence");
    if (!eventFilterAllows(filter.ephemeral, { type: "m.typing" })) left.add("typing");
    if (!eventFilterAllows(filter.ephemeral, { type: "m.receipt" })) left.add("receipts");
    leftOutCache.set(filter, (streams = left));
  }
  return streams;
}
