import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { checkAuthEventsSelection, checkEventAuth, stateLookupFromEvents, withStateEvents } from "../../events/auth-rules/index.js";
import { referenceIds, stateKeyOf, type IdentifiedPdu, type StateLookup } from "../../events/pdu.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { resolveState } from "../../state/index.js";
import type { StateMap } from "../../storage/stores/state-store.js";
import type { AcceptedEvent, Placement, RoomAfter } from "../persist/accepted-event.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomMemory } from "../persist/room-memory.js";
import { loadEventSource } from "./event-source.js";
import { checkIncomingPdu } from "./incoming-pdu.js";
import type { RemoteServers } from "./remote-servers.js";

/** Outliers checked but not yet written, which later events of the same batch may cite as auth events. */
interface OutlierBatch {
  accepted: Map<string, IdentifiedPdu>;
  rejected: Map<string, { pdu: IdentifiedPdu; reason: string }>;
}

export interface PduOutcome {
  eventId?: string;
  error?: string;
}

/** Bounds on what one incoming event may make us fetch, so a peer cannot make us walk its whole history. */
const MISSING_EVENTS_LIMIT = 20;
const MAX_FETCHES_PER_EVENT = 100;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Receives events from other servers into rooms we are in (spec: "Checks performed on receipt of a PDU"):
 * format, signatures and hashes; auth against the event's auth events; auth against the state before it
 * (resolved across its prev_events); soft-fail against the current state. Missing prev_events are fetched
 * with get_missing_events, missing auth events one by one, and a gap that remains is filled from /state_ids.
 */
export class RemoteEventIngest {
  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly keys: ServerKeys,
    private readonly remote: RemoteServers,
  ) {}

  /**
   * One PDU of a transaction; never throws for bad input, so one bad PDU cannot spoil the others.
   * `keepRefused: false` (send_join, send_leave, send_knock, where the sender is answered at once): an event
   * that fails auth or would be soft-failed is refused without being stored, as Synapse does.
   */
  async receive(origin: string, raw: unknown, options: { keepRefused?: boolean } = {}): Promise<PduOutcome> {
    try {
      return await this.receiveOne(origin, raw, { fetches: 0 }, true, options.keepRefused ?? true);
    } catch (error) {
      this.core.logger.warn({ origin, err: (error as Error).message }, "failed to process incoming PDU");
      return { error: (error as Error).message };
    }
  }

  private async receiveOne(origin: string, raw: unknown, budget: { fetches: number }, fillGaps: boolean, keepRefused = true): Promise<PduOutcome> {
    if (!isObject(raw) || typeof raw.room_id !== "string") return { error: "PDU has no room_id" };
    const roomId = raw.room_id;
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) return { error: `unknown room ${roomId}` };
    const check = await checkIncomingPdu(raw, memory.version, this.keys);
    if (!check.ok) {
      this.core.logger.warn({ origin, eventId: check.eventId, reason: check.reason }, "refused PDU");
      return { eventId: check.eventId, error: check.reason };
    }
    const pdu = check.pdu;
    const known = await this.stores.events.knownStatus([pdu.event_id]);
    // Held already (in the timeline, or as an outlier fetched for auth): nothing more to do.
    if (known.has(pdu.event_id)) return { eventId: pdu.event_id };

    if (fillGaps) await this.fetchMissingPrevEvents(origin, memory, pdu, budget);
    await this.fetchMissingAuthEvents(origin, memory, pdu, budget);
    return this.persister.serialise(roomId, () => this.place(origin, memory, pdu, budget, keepRefused));
  }

  private async fetchMissingPrevEvents(origin: string, memory: RoomMemory, pdu: IdentifiedPdu, budget: { fetches: number }): Promise<void> {
    const prevIds = referenceIds(pdu.prev_events);
    const known = await this.stores.events.knownStatus(prevIds);
    if (prevIds.every((id) => known.has(id) && !known.get(id)!.outlier)) return;
    let fetched: unknown[] = [];
    try {
      fetched = await this.remote.getMissingEvents(origin, memory.roomId, {
        earliestEvents: memory.extremities,
        latestEvents: [pdu.event_id],
        limit: MISSING_EVENTS_LIMIT,
        minDepth: 0,
      });
    } catch (error) {
      this.core.logger.info({ origin, err: (error as Error).message }, "get_missing_events failed; will use /state_ids");
      return;
    }
    const ordered = fetched.filter(isObject).sort((a, b) => Number(a.depth) - Number(b.depth));
    for (const event of ordered.slice(0, MISSING_EVENTS_LIMIT)) {
      budget.fetches++;
      // Events fetched to fill a gap do not fill gaps themselves: the recursion stays bounded.
      await this.receiveOne(origin, event, budget, false);
    }
  }

  async fetchMissingAuthEvents(origin: string, memory: RoomMemory, pdu: IdentifiedPdu, budget: { fetches: number }): Promise<void> {
    const authIds = referenceIds(pdu.auth_events);
    const known = await this.stores.events.knownStatus(authIds);
    for (const id of authIds) {
      if (known.has(id)) continue;
      if (++budget.fetches > MAX_FETCHES_PER_EVENT) throw new Error("too many missing auth events");
      await this.fetchOutlier(origin, memory, id, budget);
    }
  }

  /** Fetches one event, checks it against its own auth events and stores it as an outlier (or rejected). */
  private async fetchOutlier(origin: string, memory: RoomMemory, eventId: string, budget: { fetches: number }): Promise<void> {
    const raw = await this.remote.getEvent(origin, eventId);
    if (raw === undefined) throw new Error(`could not fetch event ${eventId}`);
    const check = await checkIncomingPdu(raw, memory.version, this.keys);
    if (!check.ok) throw new Error(`fetched event ${eventId} is invalid: ${check.reason}`);
    if (check.pdu.event_id !== eventId) throw new Error(`asked for ${eventId}, got ${check.pdu.event_id}`);
    await this.fetchMissingAuthEvents(origin, memory, check.pdu, budget);
    const verdict = await this.checkAgainstAuthEvents(memory, check.pdu);
    const placement: Placement = verdict === true ? { kind: "outlier" } : { kind: "rejected", reason: verdict };
    await this.persister.writeAccepted({ memory, events: [{ pdu: check.pdu, placement }] });
  }

  /**
   * Checks events a resident server gave us (send_join's state and auth chain) as outliers, each against its
   * own auth events, in an order where every auth event comes first. Nothing is written: the join writes the
   * new ones (`toWrite`) with its own event in one transaction. `accepted`: every accepted one, held before or new.
   */
  async checkOutliers(
    memory: RoomMemory,
    raws: unknown[],
  ): Promise<{ accepted: Map<string, IdentifiedPdu>; idsOfInput: Array<string | undefined>; toWrite: AcceptedEvent[] }> {
    const pending = new Map<string, IdentifiedPdu>();
    const idsOfInput: Array<string | undefined> = [];
    for (const raw of raws) {
      const check = await checkIncomingPdu(raw, memory.version, this.keys);
      idsOfInput.push(check.ok ? check.pdu.event_id : undefined);
      if (check.ok) pending.set(check.pdu.event_id, check.pdu);
      else this.core.logger.warn({ eventId: check.eventId, reason: check.reason }, "ignored invalid event from a resident server");
    }
    const known = await this.stores.events.knownStatus([...pending.keys()]);
    const accepted = new Map<string, IdentifiedPdu>();
    for (const id of known.keys()) {
      if (!known.get(id)!.rejected) accepted.set(id, pending.get(id)!);
      pending.delete(id);
    }
    // Checked in auth order against each other in memory: a join into a big room brings thousands of these.
    const batch: OutlierBatch = { accepted: new Map(), rejected: new Map() };
    while (pending.size > 0) {
      const ready = [...pending.values()].filter((pdu) => referenceIds(pdu.auth_events).every((id) => !pending.has(id)));
      if (ready.length === 0) throw new Error("the auth chain has a cycle or a missing event");
      for (const pdu of ready.sort((a, b) => a.depth - b.depth)) {
        pending.delete(pdu.event_id);
        const verdict = await this.checkAgainstAuthEvents(memory, pdu, batch);
        if (verdict === true) batch.accepted.set(pdu.event_id, pdu);
        else batch.rejected.set(pdu.event_id, { pdu, reason: verdict });
      }
    }
    const toWrite: AcceptedEvent[] = [
      ...[...batch.accepted.values()].map((pdu) => ({ pdu, placement: { kind: "outlier" } as const })),
      ...[...batch.rejected.values()].map(({ pdu, reason }) => ({ pdu, placement: { kind: "rejected", reason } as const })),
    ];
    for (const [id, pdu] of batch.accepted) accepted.set(id, pdu);
    return { accepted, idsOfInput, toWrite };
  }

  /**
   * The first timeline event of a room we are joining, checked against the state we were given, and how the
   * room stands after it; not written (the join writes it with the room's outliers).
   */
  firstEvent(memory: RoomMemory, pdu: IdentifiedPdu, state: Map<string, IdentifiedPdu>): { event: AcceptedEvent; roomAfter: RoomAfter } {
    const stateBefore: StateMap = new Map([...state].map(([k, e]) => [k, e.event_id]));
    const verdict = checkEventAuth(pdu, { get: (type, key) => state.get(stateKeyOf(type, key)) }, memory.version);
    if (!verdict.ok) throw new Error(`our event fails against the room's state: ${verdict.reason}`);
    const currentState = new Map(state);
    if (typeof pdu.state_key === "string") currentState.set(stateKeyOf(pdu.type, pdu.state_key), pdu);
    return {
      event: { pdu, placement: { kind: "timeline", stateBefore: { map: stateBefore, group: null } } },
      roomAfter: { currentState, extremities: [pdu.event_id] },
    };
  }

  /** True, or the reason the event fails against the auth events it cites. */
  async checkAgainstAuthEvents(memory: RoomMemory, pdu: IdentifiedPdu, batch?: OutlierBatch): Promise<true | string> {
    const authIds = referenceIds(pdu.auth_events);
    // Events checked earlier in the same batch are not in the database yet.
    const fromDb = authIds.filter((id) => !batch?.accepted.has(id) && !batch?.rejected.has(id));
    const stored = await this.stores.events.getMany(fromDb);
    const status = await this.stores.events.knownStatus(fromDb);
    for (const id of authIds) {
      if (batch?.rejected.has(id)) return `auth event ${id} was rejected`;
      if (batch?.accepted.has(id)) continue;
      if (!stored.has(id)) return `auth event ${id} is missing`;
      if (status.get(id)?.rejected) return `auth event ${id} was rejected`;
    }
    const authEvents = authIds.map((id) => batch?.accepted.get(id) ?? stored.get(id)!.pdu);
    const selection = checkAuthEventsSelection(pdu, authEvents, memory.version);
    if (!selection.ok) return selection.reason;
    let lookup: StateLookup = stateLookupFromEvents(authEvents);
    if (memory.version.roomIdFromCreateEvent && pdu.type !== "m.room.create") {
      const createId = `$${memory.roomId.slice(1)}`;
      const create = memory.stateEvent("m.room.create") ?? batch?.accepted.get(createId) ?? (await this.stores.events.get(createId))?.pdu;
      if (create) lookup = withStateEvents(lookup, [create]);
    }
    const verdict = checkEventAuth(pdu, lookup, memory.version);
    return verdict.ok ? true : verdict.reason;
  }

  /** Inside the room's persist queue: decide where the event goes and store it. */
  private async place(origin: string, memory: RoomMemory, pdu: IdentifiedPdu, budget: { fetches: number }, keepRefused: boolean): Promise<PduOutcome> {
    const write = async (placement: Placement) => {
      if (placement.kind === "timeline" || keepRefused) await this.persister.writeAccepted({ memory, events: [{ pdu, placement }] });
    };
    const againstAuth = await this.checkAgainstAuthEvents(memory, pdu);
    if (againstAuth !== true) {
      await write({ kind: "rejected", reason: againstAuth });
      return { eventId: pdu.event_id, error: againstAuth };
    }
    // The common case: the event follows exactly our forward extremities, so the state before it is the
    // current state we hold in memory, and no state needs reading or resolving.
    const prevList = referenceIds(pdu.prev_events);
    const linear =
      memory.stateGroup !== null && prevList.length === memory.extremities.length && prevList.every((id) => memory.extremities.includes(id));
    const before = linear
      ? { state: new Map([...memory.state].map(([k, e]) => [k, e.event_id])) as StateMap, group: memory.stateGroup }
      : await this.stateBefore(origin, memory, pdu, budget);
    const beforeLookup: StateLookup = linear
      ? memory.lookup
      : await (async () => {
          const source = await loadEventSource(this.stores.events, before.state.values(), [pdu]);
          return { get: (type: string, key: string) => lookupIn(before.state, source, type, key) };
        })();
    const againstState = checkEventAuth(pdu, beforeLookup, memory.version);
    if (!againstState.ok) {
      await write({ kind: "rejected", reason: againstState.reason });
      return { eventId: pdu.event_id, error: againstState.reason };
    }
    // Soft fail: valid where it sits in the DAG, but not against what the room is now (e.g. a banned user).
    const againstCurrent = checkEventAuth(pdu, memory.lookup, memory.version);
    if (!againstCurrent.ok) {
      await write({ kind: "soft-failed", stateBeforeGroup: before.group });
      return keepRefused ? { eventId: pdu.event_id } : { eventId: pdu.event_id, error: againstCurrent.reason };
    }
    const prevIds = new Set(referenceIds(pdu.prev_events));
    const extremities = [...memory.extremities.filter((id) => !prevIds.has(id)), pdu.event_id];
    const after = new Map(before.state);
    if (typeof pdu.state_key === "string") after.set(stateKeyOf(pdu.type, pdu.state_key), pdu.event_id);
    let currentIds: StateMap = after;
    if (extremities.length > 1) {
      const currentMap: StateMap = new Map([...memory.state].map(([k, e]) => [k, e.event_id]));
      const resolveSource = await loadEventSource(this.stores.events, [...currentMap.values(), ...after.values()], [pdu]);
      currentIds = resolveState(memory.version, [currentMap, after], resolveSource);
    }
    let currentState: Map<string, IdentifiedPdu>;
    if (linear) {
      currentState = new Map(memory.state);
      if (typeof pdu.state_key === "string") currentState.set(stateKeyOf(pdu.type, pdu.state_key), pdu);
    } else {
      const currentSource = await loadEventSource(this.stores.events, currentIds.values(), [pdu]);
      currentState = new Map<string, IdentifiedPdu>();
      for (const [key, id] of currentIds) {
        const event = currentSource.get(id);
        if (event) currentState.set(key, event);
      }
    }
    await this.persister.writeAccepted({
      memory,
      events: [{ pdu, placement: { kind: "timeline", stateBefore: { map: before.state, group: before.group } }, authState: beforeLookup }],
      roomAfter: { currentState, extremities },
    });
    return { eventId: pdu.event_id };
  }

  /** The state before `pdu`: resolved across its prev_events, or taken from the origin when there is a gap. */
  private async stateBefore(origin: string, memory: RoomMemory, pdu: IdentifiedPdu, budget: { fetches: number }): Promise<{ state: StateMap; group: number | null }> {
    // prev_events must be events of this room: an id from another room must not lend us its state.
    const prevEvents = await this.stores.events.getMany(referenceIds(pdu.prev_events));
    const prevIds = referenceIds(pdu.prev_events).filter((id) => prevEvents.get(id)?.pdu.room_id === memory.roomId || !prevEvents.has(id));
    if (prevIds.length !== pdu.prev_events.length) throw new Error("prev_events name events of another room");
    const status = await this.stores.events.knownStatus(prevIds);
    const groups = prevIds.map((id) => status.get(id)).filter((s) => s && !s.outlier && !s.rejected && s.stateGroupAfter !== null);
    if (groups.length === prevIds.length && groups.length > 0) {
      const stateSets = await Promise.all(groups.map((s) => this.stores.state.getState(s!.stateGroupAfter!)));
      if (stateSets.length === 1) return { state: stateSets[0], group: groups[0]!.stateGroupAfter };
      const source = await loadEventSource(this.stores.events, stateSets.flatMap((s) => [...s.values()]));
      return { state: resolveState(memory.version, stateSets, source), group: null };
    }
    // A gap we could not close: ask the origin what the state was and hold those events as outliers.
    const { pduIds, authChainIds } = await this.remote.getStateIds(origin, memory.roomId, pdu.event_id);
    const known = await this.stores.events.knownStatus([...pduIds, ...authChainIds]);
    for (const id of [...authChainIds, ...pduIds]) {
      if (known.has(id)) continue;
      if (++budget.fetches > MAX_FETCHES_PER_EVENT * 10) throw new Error("state at the event is too large to fetch");
      await this.fetchOutlier(origin, memory, id, budget);
    }
    const events = await this.stores.events.getMany(pduIds);
    const state: StateMap = new Map();
    for (const event of events.values()) {
      if (typeof event.pdu.state_key === "string") state.set(stateKeyOf(event.pdu.type, event.pdu.state_key), event.pdu.event_id);
    }
    return { state, group: null };
  }
}

function lookupIn(state: StateMap, source: { get(id: string): IdentifiedPdu | undefined }, type: string, key: string): IdentifiedPdu | undefined {
  const id = state.get(stateKeyOf(type, key));
  return id ? source.get(id) : undefined;
}
