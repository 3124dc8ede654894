import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import type { RoomsStore } from "../storage/stores/rooms-store.js";
import type { StateAtStore, StateSelector } from "../storage/stores/state-at-store.js";
import type { StateStore, StateMap } from "../storage/stores/state-store.js";
import type { Stores } from "../storage/stores/stores.js";
import { requireRoomVersion, type RoomVersion } from "../events/room-versions.js";
import { stateKeyOf } from "../events/pdu.js";
import { LruCache } from "../core/lru-cache.js";

export type StateKeyPair = readonly [type: string, stateKey: string];

/** What visibility needs from a state event; both survive redaction, so caching them by event id is safe. */
export interface StateValue {
  membership?: string;
  historyVisibility?: string;
}

const KEY_CACHE_SIZE = 200_000;
const VALUE_CACHE_SIZE = 50_000;

/**
 * Reads of room state for the read endpoints and sync, by state group. State groups never change once
 * written, so targeted lookups (group, type, state_key) -> event id are cached: when 500 syncers look up
 * the same message's history visibility, only the first reaches the database.
 */
export class RoomStateReader {
  readonly events: EventsStore;
  private readonly stateAt: StateAtStore;
  private readonly groups: StateStore;
  private readonly rooms: RoomsStore;
  private readonly keyCache = new LruCache<string, string | null>(KEY_CACHE_SIZE);
  private readonly valueCache = new LruCache<string, StateValue>(VALUE_CACHE_SIZE);
  private readonly versions = new Map<string, RoomVersion>();
  /**
   * Lookups being read, by cache key: syncers woken by the same message ask for the same sender's membership
   * at the same group side by side, and without this each of them would read it (one query, not one each).
   */
  private readonly reading = new Map<string, Promise<string | null>>();

  constructor(stores: Pick<Stores, "events" | "stateAt" | "state" | "rooms">) {
    this.events = stores.events;
    this.stateAt = stores.stateAt;
    this.groups = stores.state;
    this.rooms = stores.rooms;
  }

  /** Room versions never change; undefined for a room this server does not know. */
  async roomVersion(roomId: string): Promise<RoomVersion | undefined> {
    let version = this.versions.get(roomId);
    if (!version) {
      const room = await this.rooms.get(roomId);
      if (!room) return undefined;
      version = requireRoomVersion(room.roomVersion);
      this.versions.set(roomId, version);
    }
    return version;
  }

  /**
   * The event ids of `keys` in the state at each group (a missing key is absent from the inner map).
   * A null group is the empty state before m.room.create.
   */
  async keysAt(groups: ReadonlyArray<number | null>, keys: readonly StateKeyPair[]): Promise<Map<number | null, Map<string, string>>> {
    const result = new Map<number | null, Map<string, string>>();
    const missingGroups = new Set<number>();
    const missingKeys = new Map<string, StateKeyPair>();
    const pending: Array<Promise<void>> = [];
    for (const group of new Set(groups)) {
      const found = new Map<string, string>();
      result.set(group, found);
      if (group === null) continue;
      for (const key of keys) {
        const cacheId = cacheKey(group, key);
        const cached = this.keyCache.get(cacheId);
        const inFlight = cached === undefined ? this.reading.get(cacheId) : undefined;
        if (inFlight) {
          pending.push(inFlight.then((id) => void (id !== null && found.set(stateKeyOf(key[0], key[1]), id))));
        } else if (cached === undefined) {
          missingGroups.add(group);
          missingKeys.set(stateKeyOf(key[0], key[1]), key);
        } else if (cached !== null) {
          found.set(stateKeyOf(key[0], key[1]), cached);
        }
      }
    }
    if (missingGroups.size > 0) pending.push(this.readKeys(missingGroups, [...missingKeys.values()], result));
    await Promise.all(pending);
    return result;
  }

  /** Reads (groups x keys) in one query, shared with lookups that ask for any of them meanwhile. */
  private async readKeys(groups: ReadonlySet<number>, keys: readonly StateKeyPair[], result: Map<number | null, Map<string, string>>): Promise<void> {
    // Event id by cache key, for this lookup and for any that ask for the same keys while it runs.
    const query = this.stateAt.select([...groups], { keys }).then((entries) => {
      const fetched = new Map<string, string>();
      for (const entry of entries) fetched.set(cacheKey(entry.group, [entry.type, entry.stateKey]), entry.eventId);
      return fetched;
    });
    const registered: string[] = [];
    for (const group of groups) {
      for (const key of keys) {
        const cacheId = cacheKey(group, key);
        // A key of this read may already be read by another (it asked for other groups or keys as well).
        if (this.reading.has(cacheId)) continue;
        registered.push(cacheId);
        const shared = query.then((fetched) => fetched.get(cacheId) ?? null);
        // Only other lookups await it; this one sees a failure through `query` itself.
        shared.catch(() => undefined);
        this.reading.set(cacheId, shared);
      }
    }
    try {
      const fetched = await query;
      for (const group of groups) {
        for (const key of keys) {
          const id = fetched.get(cacheKey(group, key)) ?? null;
          this.keyCache.set(cacheKey(group, key), id);
          if (id !== null) result.get(group)!.set(stateKeyOf(key[0], key[1]), id);
        }
      }
    } finally {
      for (const cacheId of registered) this.reading.delete(cacheId);
    }
  }

  /** A selection of the state at a group (uncached: used for lazy-loaded and full-state sync sections). */
  async selectAt(group: number | null, selector: StateSelector): Promise<StateMap> {
    const state: StateMap = new Map();
    if (group === null) return state;
    for (const entry of await this.stateAt.select([group], selector)) state.set(stateKeyOf(entry.type, entry.stateKey), entry.eventId);
    return state;
  }

  async fullStateAt(group: number | null): Promise<StateMap> {
    return group === null ? new Map() : this.groups.getState(group);
  }

  /** Membership / history_visibility of state events by id, cached. */
  async values(eventIds: Iterable<string>): Promise<Map<string, StateValue>> {
    const result = new Map<string, StateValue>();
    const missing: string[] = [];
    for (const id of new Set(eventIds)) {
      const cached = this.valueCache.get(id);
      if (cached) result.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, stored] of await this.events.getMany(missing)) {
        const value = valueOf(stored);
        this.valueCache.set(id, value);
        result.set(id, value);
      }
    }
    return result;
  }

  /** Events by id in the order given, skipping unknown ids. */
  async eventsInOrder(eventIds: readonly string[]): Promise<StoredEvent[]> {
    if (eventIds.length === 0) return [];
    const found = await this.events.getMany([...eventIds]);
    return eventIds.map((id) => found.get(id)).filter((e): e is StoredEvent => e !== undefined);
  }
}

function cacheKey(group: number, [type, stateKey]: StateKeyPair): string {
  return `${group}\u0000${type}\u0000${stateKey}`;
}

function valueOf(stored: StoredEvent): StateValue {
  const content = stored.pdu.content;
  const value: StateValue = {};
  if (stored.pdu.type === "m.room.member" && typeof content.membership === "string") value.membership = content.membership;
  if (stored.pdu.type === "m.room.history_visibility" && typeof content.history_visibility === "string") {
    value.historyVisibility = content.history_visibility;
  }
  return value;
}
