import { errors } from "../errors.js";
import { formatSyncToken, parseSyncToken, zeroPositions, STREAMS, type StreamName, type StreamPositions } from "../streams/sync-token.js";
import type { Requester } from "../users/requester.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { checkFilter, parseJsonParam, roomAllowed, streamsLeftOut, syncFilterOf, type Filter, type SyncFilter } from "../core/filters.js";
import { hasContent, type SyncBuilder } from "./sync-builder.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";
import { membershipOf } from "./user-memberships.js";
import { LruCache } from "../core/lru-cache.js";
import { canonicalJson } from "../crypto/canonical-json.js";
import { BuildGate } from "./build-gate.js";
import type { PreparedWait } from "../streams/notifier.js";
import { SharedResponses } from "./shared-responses.js";
import type { SyncingDevices } from "./live-devices.js";

/** Parsed filters by their text (inline) or owner and id: every long-poll names its filter again. */
const FILTER_CACHE_SIZE = 10_000;
/**
 * Two: one build's database read overlaps another's CPU work. Woken builds mostly need no read at all, and
 * then builds running side by side only interleave, so every client waits for all of them: with 8, delivery
 * p99 over WebSocket (500 clients in rooms of 20) was 18.5 ms, with 2 it is 10.7 ms (p50 unchanged, 4.5 ms).
 */
const CONCURRENT_BUILDS = 2;

export interface SyncOptions {
  /** A next_batch token from an earlier sync. */
  since?: string;
  /** How long to wait for something new; capped at config.sync.max_timeout_ms. */
  timeoutMs?: number;
  fullState?: boolean;
  /** The spec's use_state_after (v1.16). */
  useStateAfter?: boolean;
  /** A filter id, a filter as JSON text, or a filter object (transports that parse it themselves). */
  filter?: string | Filter;
  /** The client's presence while it syncs (online when absent). */
  setPresence?: "offline" | "online" | "unavailable";
  /** Ends a long-poll early when the client has gone away. */
  signal?: AbortSignal;
  /**
   * The token up to which the client has confirmed what it received, when that is behind `since` (the sync
   * WebSocket builds from its last pushed response, which the client may not have acknowledged yet). What is
   * delivered once and then deleted (to-device messages) is deleted only up to it. A long-poll acknowledges `since`.
   */
  acknowledged?: string;
}

/**
 * /sync: build at once, or long-poll until something relevant is published. The wait is registered
 * before the streams are read, so a commit between reading and waiting still wakes us; a wake-up only
 * means "look again", and the response is rebuilt from the streams.
 */
export class SyncService {
  /** Stored filters never change once created, and inline ones are keyed by their exact text. */
  private readonly filters = new LruCache<string, SyncFilter>(FILTER_CACHE_SIZE);
  /** One object for "no filter", like a cached filter, so that responses can be shared between its users. */
  private readonly noFilter = syncFilterOf();
  private readonly filtersByContent = new LruCache<string, SyncFilter>(FILTER_CACHE_SIZE);
  private readonly gate = new BuildGate(CONCURRENT_BUILDS);
  private readonly shared: SharedResponses;

  constructor(
    private readonly deps: SyncDeps,
    private readonly builder: SyncBuilder,
    /** Told of every sync while it runs: the pusher loop does not push devices that sync is serving. */
    private readonly syncing?: Pick<SyncingDevices, "begin">,
  ) {
    this.shared = new SharedResponses(deps, builder.providers);
  }

  /**
   * Every response carries the device's one-time key counts and unused fallback key types, as Synapse sends them:
   * an end-to-end encryption client uploads more keys when they run low. They are added to the response after it
   * is built (or handed on from another member), so they never count as news that ends a long-poll.
   */
  async sync(requester: Requester, options: SyncOptions = {}): Promise<SyncResponse> {
    const end = this.syncing?.begin(requester.userId, requester.deviceId);
    try {
      return await this.syncWithKeyCounts(requester, options);
    } finally {
      end?.();
    }
  }

  private async syncWithKeyCounts(requester: Requester, options: SyncOptions): Promise<SyncResponse> {
    const response = await this.syncWindow(requester, options);
    // A wait ended by shutdown or a departed client: its answer goes nowhere, and the database may be closing.
    if (options.signal?.aborted) return response;
    const keys = await this.deps.users.e2eKeys.keyCounts(requester.userId, requester.deviceId);
    return { ...response, device_one_time_keys_count: keys.oneTimeKeyCounts, device_unused_fallback_key_types: keys.unusedFallbackKeyTypes };
  }

  private async syncWindow(requester: Requester, options: SyncOptions): Promise<SyncResponse> {
    const { core } = this.deps;
    const since = options.since === undefined ? undefined : parseSyncToken(options.since);
    if (options.since !== undefined && !since) throw errors.invalidParam("Invalid since token");
    const filter = await this.resolveFilter(requester.userId, options.filter);
    const fullState = options.fullState === true;
    const acknowledged = options.acknowledged === undefined ? undefined : parseSyncToken(options.acknowledged);
    if (options.acknowledged !== undefined && !acknowledged) throw errors.invalidParam("Invalid acknowledged token");
    const scope: SyncScope = {
      userId: requester.userId,
      deviceId: requester.deviceId,
      filter,
      initial: !since,
      fullState,
      useStateAfter: options.useStateAfter === true,
      now: core.clock.now(),
      acknowledged,
    };
    // Lazy-loading remembers what each device has; a sync from scratch means the device has nothing.
    if (!since || fullState) this.deps.lazyMembers.reset(requester.userId, requester.deviceId);
    await this.deps.presence.syncing(requester.userId, options.setPresence);

    const timeout = Math.min(Math.max(0, options.timeoutMs ?? 0), core.config.sync.max_timeout_ms);
    // The spec: full_state ignores the timeout; an initial sync returns at once as well.
    const mayWait = since !== undefined && !fullState && timeout > 0;
    const deadline = Date.now() + timeout;
    // Changes on streams the filter leaves out neither wake the wait nor count as news.
    const leftOut = streamsLeftOut(filter);
    /** The window (since, covered] held nothing for this client: the token it was given, or an empty build's. */
    let covered = since;
    let empty: SyncResponse | undefined;
    /** Just woken: the build about to run covers the commit that woke us, so it needs no new wait before it. */
    let woken = false;
    for (;;) {
      // The wait is registered before the positions are read, so a commit in between still wakes it.
      let wait = mayWait && !woken ? await this.prepareWait(requester.userId, filter, deadline - Date.now(), leftOut) : undefined;
      if (wait && covered) {
        // The usual long-poll comes straight back with the token it was just given, or has just found nothing:
        // nothing relevant has been published since, so building would only find that out. Wait first.
        const now = this.currentPositions();
        if (STREAMS.every((stream) => leftOut.has(stream) || Math.min(covered![stream], now[stream]) === now[stream])) {
          const outcome = await untilAborted(wait.promise, options.signal, () => wait!.cancel());
          // `now`, not the positions at the timeout: a commit that raced the timer is still ahead of the token.
          if (outcome !== "notified") return empty ?? { next_batch: formatSyncToken(now) };
          wait = undefined;
        }
      }
      const { response, to } = await this.respond(scope, since);
      if (!mayWait || hasContent(response) || Date.now() >= deadline || options.signal?.aborted) {
        wait?.cancel();
        return response;
      }
      covered = to;
      empty = response;
      // Nothing for us. A wait registered before the build has seen every commit since; without one (we were
      // woken), the next turn registers one and compares positions, so nothing that came meanwhile is missed.
      woken = false;
      if (!wait) continue;
      const outcome = await untilAborted(wait.promise, options.signal, () => wait!.cancel());
      if (outcome !== "notified") return response;
      woken = true;
    }
  }

  /**
   * The response for the window from `since` to now. One commit wakes every member of a room with the same
   * window: the first of them to run claims its build, and the others wait for that build, then take its
   * response when they are in the same situation (SharedResponses). Without the claim the gate let two
   * members build the same response side by side, and everyone waited for both.
   */
  private async respond(scope: SyncScope, since: StreamPositions | undefined): Promise<{ response: SyncResponse; to: StreamPositions }> {
    const { clock } = this.deps.core;
    const now = this.currentPositions();
    const window = since && clampTo(since, now);
    scope.now = clock.now();
    const key = window && this.shared.keyOf(scope, window, now);
    if (key !== undefined) {
      const underWay = this.shared.buildUnderWay(key);
      if (!underWay) return this.shared.claim(key, () => this.gate.run(async () => ({ response: await this.buildOrReuse(scope, window, now), to: now })));
      await underWay;
      // Through the gate as well: side by side, the hand-outs of a 500-member room would all finish together.
      const reused = await this.gate.run(() => this.shared.reuse(key, scope, window!, now));
      if (reused) return { response: reused, to: now };
    }
    let to!: StreamPositions;
    const response = await this.gate.run(() => {
      // Positions are read once the build may start, so a build that waited covers everything up to then.
      to = this.currentPositions();
      scope.now = clock.now();
      return this.buildOrReuse(scope, since && clampTo(since, to), to);
    });
    return { response, to };
  }

  /** Builds the window's response, or hands out the one just built for a member in the same situation. */
  private async buildOrReuse(scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions): Promise<SyncResponse> {
    const key = this.shared.keyOf(scope, since, to);
    if (key === undefined) return this.builder.build(scope, since, to);
    const reused = await this.shared.reuse(key, scope, since!, to);
    if (reused) return reused;
    const built = await this.builder.build(scope, since, to);
    await this.shared.offer(key, scope, since!, to, built);
    return built;
  }

  /** The published position of every stream: what the response's next_batch promises to have covered. */
  currentPositions(): StreamPositions {
    const { streams } = this.deps.core;
    return {
      ...zeroPositions(),
      events: streams.events.current,
      accountData: streams.accountData.current,
      receipts: streams.receipts.current,
      typing: streams.typing.current,
      presence: streams.presence.current,
      toDevice: streams.toDevice.current,
      deviceLists: streams.deviceLists.current,
    };
  }

  async resolveFilter(userId: string, filter: string | Filter | undefined): Promise<SyncFilter> {
    if (filter === undefined || filter === "") return this.noFilter;
    if (typeof filter !== "string") return this.interned(checkFilter(filter));
    const inline = filter.trimStart().startsWith("{");
    const key = inline ? filter : `${userId}\u0000${filter}`;
    const cached = this.filters.get(key);
    if (cached) return cached;
    let resolved: SyncFilter;
    if (inline) {
      resolved = this.interned(checkFilter(parseJsonParam(filter, "filter")));
    } else {
      const stored = await this.deps.users.filters.get(userId, filter);
      if (!stored) throw errors.invalidParam("No such filter");
      resolved = this.interned(checkFilter(stored));
    }
    this.filters.set(key, resolved);
    return resolved;
  }

  /**
   * One SyncFilter object per filter content: shared responses are keyed by the filter object, and every
   * Element user uploads a filter of their own with the same content.
   */
  private interned(filter: Filter): SyncFilter {
    const content = canonicalJson(filter);
    let resolved = this.filtersByContent.get(content);
    if (!resolved) this.filtersByContent.set(content, (resolved = syncFilterOf(filter)));
    return resolved;
  }

  /**
   * Waits on the joined rooms the filter lets through: news in the others could never be in the response (a
   * bot's or a client's room list would otherwise be woken, and registered, in every big room it sits in).
   * Presence is shown for everyone sharing any room, so presence changes wake it for all of them.
   */
  private async prepareWait(userId: string, filter: SyncFilter, timeoutMs: number, leftOut: ReadonlySet<StreamName>): Promise<PreparedWait> {
    const joined = await this.joinedRooms(userId);
    const rooms = filter.rooms === undefined && filter.notRooms.length === 0 ? joined : joined.filter((roomId) => roomAllowed(filter, roomId));
    return this.deps.core.notifier.prepareWait(userId, rooms, timeoutMs, leftOut, joined);
  }

  private async joinedRooms(userId: string): Promise<string[]> {
    const memberships = await this.deps.memberships.at(userId, this.deps.core.streams.events.current);
    return [...memberships].filter(([, event]) => membershipOf(event) === "join").map(([roomId]) => roomId);
  }
}

/** A token ahead of what is published (e.g. from before a database reset) would hide events until the stream caught up. */
function clampTo(since: StreamPositions, to: StreamPositions): StreamPositions {
  const clamped = { ...since };
  for (const stream of STREAMS) clamped[stream] = Math.min(since[stream], to[stream]);
  return clamped;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return promise.finally(() => signal.removeEventListener("abort", onAbort));
}
