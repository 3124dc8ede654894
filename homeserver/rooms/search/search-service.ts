import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import { eventFilterAllows, roomEventFilterAllows, type RoomEventFilter } from "../../core/filters.js";
import { formatRoomToken } from "../../streams/sync-token.js";
import type { CurrentStateReadsStore } from "../../storage/stores/current-state-reads-store.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import {
  SEARCHABLE_TYPES,
  type EventSearchStore,
  type SearchableType,
  type SearchCursor,
  type SearchHit,
  type SearchQuery,
} from "../../storage/stores/event-search-store.js";
import type { TimelineStore } from "../../storage/stores/timeline-store.js";
import type { Requester } from "../../users/requester.js";
import type {
  RoomEventsCriteria,
  RoomEventsResults,
  SearchGroupJson,
  SearchGroupKey,
  SearchKey,
  SearchRequest,
  SearchResponse,
  SearchResultJson,
} from "../../../schemas/client/search/search.js";
import type { ClientEvent } from "../client-event.js";
import type { VisibilityFilter } from "../history-visibility.js";
import { formatEvents, type AggregationSource } from "../read-formatting.js";
import type { RoomStateReader } from "../room-state-reader.js";
import { MAX_CONTEXT_LIMIT, SearchContextReader } from "./search-context.js";
import { SearchScope } from "./search-scope.js";
import { formatSearchToken, parseSearchToken, type SearchToken } from "./search-token.js";

const DEFAULT_LIMIT = 10;
/** The spec asks servers to bound a filter's limit; each result may carry context, so the bound is modest. */
const MAX_LIMIT = 100;
const DEFAULT_CONTEXT_LIMIT = 5;
/**
 * How many matches one request may look at for ones the user may see. Past it the answer has what was found
 * and a next_batch, so a user who joined a "joined" room late cannot make one request walk all its history.
 */
const MAX_SCAN = 2000;
const ALL_KEYS: readonly SearchKey[] = ["content.body", "content.name", "content.topic"];

export interface SearchServiceDeps {
  core: Pick<CoreContext, "clock" | "streams">;
  store: EventSearchStore;
  timeline: TimelineStore;
  reader: RoomStateReader;
  visibility: VisibilityFilter;
  currentState: CurrentStateReadsStore;
  /** Bundled aggregations (edits, threads, references) on the results and their context, as on every read path. */
  aggregations?: AggregationSource;
}

interface Page {
  hits: SearchHit[];
  /** Where the next page starts; undefined when the matches are exhausted. */
  next?: SearchCursor;
}

/**
 * POST /search over room events: full-text matches in the rooms the user is in (or left, up to their leave),
 * never an event the user may not see under history visibility, never a redacted one.
 */
export class SearchService {
  private readonly contexts: SearchContextReader;

  constructor(private readonly deps: SearchServiceDeps) {
    this.contexts = new SearchContextReader(deps.timeline, deps.visibility, deps.reader);
  }

  async search(requester: Requester, request: SearchRequest, nextBatch?: string): Promise<SearchResponse> {
    const criteria = request.search_categories.room_events;
    // As Synapse: a request that asks for no category this server knows is refused, not answered empty.
    if (!criteria) throw errors.badJson("search_categories names no category this server searches (room_events)");
    const order = criteria.order_by ?? "rank";
    const token = nextBatch === undefined ? undefined : parseSearchToken(nextBatch, order);
    const filter: RoomEventFilter = criteria.filter ?? {};
    const limit = Math.min(Math.max(1, filter.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    const onlyRoom = token?.group?.key === "room_id" ? token.group.value : undefined;
    const scope = await SearchScope.of(requester.userId, this.deps, this.deps.core.streams.events.current, filter, onlyRoom);
    const query: SearchQuery = {
      term: criteria.search_term,
      types: searchedTypes(criteria.keys ?? ALL_KEYS, filter),
      windows: scope.windows,
      senders: sendersOf(filter, token),
      notSenders: filter.not_senders,
    };
    const memberships = new Map<string, string>();
    const cursor = token ? { streamPos: token.streamPos, rank: token.rank } : undefined;
    const page = await this.page(query, order, limit, cursor, scope, filter, memberships);
    const [count, highlights] = await Promise.all([this.deps.store.count(query), this.deps.store.highlights(query.term, page.hits.map(searchedText).filter((t) => t !== undefined))]);

    const response: RoomEventsResults = {
      results: await this.results(requester, page.hits, criteria, scope, memberships),
      count,
      highlights,
    };
    const nextToken = (group?: SearchToken["group"]) => formatSearchToken({ order, streamPos: page.next!.streamPos, rank: order === "rank" ? page.next!.rank : undefined, group });
    // A plain next_batch continues the same group when the request came from a group's next_batch.
    if (page.next) response.next_batch = nextToken(token?.group);
    if (criteria.include_state && page.hits.length > 0) response.state = await this.currentStates(requester, page.hits, scope);
    const groupKeys = [...new Set((criteria.groupings?.group_by ?? []).map((g) => g.key).filter((k) => k !== undefined))];
    if (groupKeys.length > 0) {
      response.groups = {};
      for (const key of groupKeys) response.groups[key] = groupsOf(page.hits, key, page.next ? (value) => nextToken({ key, value }) : undefined);
    }
    return { search_categories: { room_events: response } };
  }

  /** One page of visible matches, looking at more while history visibility hides them, up to MAX_SCAN. */
  private async page(
    query: SearchQuery,
    order: "rank" | "recent",
    limit: number,
    cursor: SearchCursor | undefined,
    scope: SearchScope,
    filter: RoomEventFilter,
    memberships: Map<string, string>,
  ): Promise<Page> {
    const kept: SearchHit[] = [];
    let position = cursor;
    let scanned = 0;
    for (;;) {
      const want = Math.min(Math.max(2 * (limit - kept.length), 20), MAX_SCAN - scanned);
      if (want <= 0) return { hits: kept, next: position };
      const hits = await this.deps.store.search(query, order, want, position);
      scanned += hits.length;
      const visible = await this.visibleIds(hits, scope, filter, memberships);
      for (const [index, hit] of hits.entries()) {
        position = { streamPos: hit.event.streamPos, rank: hit.rank };
        if (!visible.has(hit.event.pdu.event_id)) continue;
        kept.push(hit);
        if (kept.length === limit) {
          const exhausted = index === hits.length - 1 && hits.length < want;
          return { hits: kept, next: exhausted ? undefined : position };
        }
      }
      if (hits.length < want) return { hits: kept };
    }
  }

  /** The ids of the hits that pass the filter's remaining conditions and that the user may see. */
  private async visibleIds(hits: SearchHit[], scope: SearchScope, filter: RoomEventFilter, memberships: Map<string, string>): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const [roomId, roomHits] of byRoom(hits)) {
      const candidates = roomHits.map((h) => h.event).filter((e) => roomEventFilterAllows(filter, { ...e.pdu, room_id: roomId }));
      const viewer = await scope.viewer(roomId);
      for (const event of await this.deps.visibility.filter(candidates, viewer, memberships)) ids.add(event.pdu.event_id);
    }
    return ids;
  }

  private async results(
    requester: Requester,
    hits: SearchHit[],
    criteria: RoomEventsCriteria,
    scope: SearchScope,
    memberships: Map<string, string>,
  ): Promise<SearchResultJson[]> {
    const wanted = criteria.event_context;
    const limits = {
      before: Math.min(wanted?.before_limit ?? DEFAULT_CONTEXT_LIMIT, MAX_CONTEXT_LIMIT),
      after: Math.min(wanted?.after_limit ?? DEFAULT_CONTEXT_LIMIT, MAX_CONTEXT_LIMIT),
    };
    const results: SearchResultJson[] = [];
    for (const hit of hits) {
      const format = (events: StoredEvent[]) => this.format(requester, hit.roomId, events, memberships);
      const result: SearchResultJson = { rank: hit.rank, result: (await format([hit.event]))[0] };
      if (wanted) {
        const room = scope.room(hit.roomId);
        const around = await this.contexts.around(hit.roomId, hit.event, limits, await scope.viewer(hit.roomId), room.until, memberships);
        result.context = {
          start: formatRoomToken(around.start),
          end: formatRoomToken(around.end),
          events_before: await format(around.before),
          events_after: await format(around.after),
        };
        if (wanted.include_profile) {
          const senders = [...new Set([...around.before, hit.event, ...around.after].map((e) => e.pdu.sender))];
          result.context.profile_info = await this.contexts.profiles(around.after[around.after.length - 1] ?? hit.event, senders);
        }
      }
      results.push(result);
    }
    return results;
  }

  /** include_state: each result room's current state, or the state at the user's leave for a room they left. */
  private async currentStates(requester: Requester, hits: SearchHit[], scope: SearchScope): Promise<Record<string, ClientEvent[]>> {
    const states: Record<string, ClientEvent[]> = {};
    for (const roomId of byRoom(hits).keys()) {
      const room = scope.room(roomId);
      let ids: string[];
      if (room.joined) ids = await this.deps.currentState.allEventIds(roomId);
      else {
        const leave = await this.deps.reader.events.get(room.eventId);
        ids = [...(await this.deps.reader.fullStateAt(leave?.stateGroupAfter ?? null)).values()];
      }
      states[roomId] = await this.format(requester, roomId, await this.deps.reader.eventsInOrder(ids));
    }
    return states;
  }

  private async format(requester: Requester, roomId: string, events: StoredEvent[], memberships?: Map<string, string>): Promise<ClientEvent[]> {
    const version = await this.deps.reader.roomVersion(roomId);
    if (!version) throw new Error(`no room version for ${roomId}`);
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    return formatEvents(this.deps.reader.events, events, version, this.deps.core.clock.now(), viewer, memberships, this.deps.aggregations);
  }
}

/** The index's types whose key was asked for and that the filter's types and not_types let through. */
function searchedTypes(keys: readonly SearchKey[], filter: RoomEventFilter): SearchableType[] {
  return (Object.entries(SEARCHABLE_TYPES) as Array<[SearchableType, SearchKey]>)
    .filter(([type, key]) => keys.includes(key) && eventFilterAllows({ types: filter.types, not_types: filter.not_types }, { type }))
    .map(([type]) => type);
}

/** The filter's senders, narrowed to one when the request continues a sender group. */
function sendersOf(filter: RoomEventFilter, token: SearchToken | undefined): string[] | undefined {
  if (token?.group?.key !== "sender") return filter.senders;
  const sender = token.group.value;
  return filter.senders === undefined || filter.senders.includes(sender) ? [sender] : [];
}

/** The text the index searched in an event, for highlighting. */
function searchedText(hit: SearchHit): string | undefined {
  const key = SEARCHABLE_TYPES[hit.event.pdu.type as SearchableType];
  const value = key ? hit.event.pdu.content[key.slice("content.".length)] : undefined;
  return typeof value === "string" ? value : undefined;
}

function byRoom(hits: SearchHit[]): Map<string, SearchHit[]> {
  const rooms = new Map<string, SearchHit[]>();
  for (const hit of hits) {
    const list = rooms.get(hit.roomId);
    if (list) list.push(hit);
    else rooms.set(hit.roomId, [hit]);
  }
  return rooms;
}

/** Results by room or sender; `order` numbers the groups by their best result, 1 first. */
function groupsOf(hits: SearchHit[], key: SearchGroupKey, nextBatch?: (value: string) => string): Record<string, SearchGroupJson> {
  const groups = new Map<string, SearchGroupJson>();
  for (const hit of hits) {
    const value = key === "room_id" ? hit.roomId : hit.event.pdu.sender;
    let group = groups.get(value);
    if (!group) groups.set(value, (group = { results: [], order: groups.size + 1 }));
    group.results.push(hit.event.pdu.event_id);
  }
  if (nextBatch) for (const [value, group] of groups) group.next_batch = nextBatch(value);
  return Object.fromEntries(groups);
}
