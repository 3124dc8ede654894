import type { CoreContext } from "../app/core-context.js";
import { errors, MatrixError } from "../errors.js";
import { authEventTypesFor, checkEventAuth, canApplyRedaction, redactsOf } from "../events/auth-rules/index.js";
import { stateKeyOf, type IdentifiedPdu, type StateLookup } from "../events/pdu.js";
import { requireRoomVersion, type RoomVersion } from "../events/room-versions.js";
import { EventsStore } from "../storage/stores/events-store.js";
import { RoomsStore } from "../storage/stores/rooms-store.js";
import { StateStore } from "../storage/stores/state-store.js";
import { TxnStore } from "../storage/stores/txn-store.js";
import { MessageAppendStore } from "../storage/stores/message-append-store.js";
import type { Tx } from "../storage/database.js";
import { TxnIdMemory, txnKey } from "./txn-id-memory.js";
import { buildLocalEvent, type EventDraft } from "./event-factory.js";
import { RoomMemory } from "./room-memory.js";
import { holdUntilSettled } from "./settling-promises.js";
import { txnRefOf, writeBatch, type AcceptedEvent, type PersistOptions } from "./persist-batch.js";

export type { PersistOptions } from "./persist-batch.js";

export interface PersistedEvent {
  eventId: string;
  streamPos: number;
  pdu: IdentifiedPdu;
  /** True when a retried txnId matched an event we already had. */
  deduplicated: boolean;
}

/** One event of a new room after its create event. */
export interface NewRoomEvent {
  draft: EventDraft;
  /** Runs on the built event once the whole room is known to be valid, with the room as it will stand. */
  beforeWrite?: (pdu: IdentifiedPdu, room: RoomMemory) => Promise<IdentifiedPdu>;
}

export interface NewRoom {
  version: RoomVersion;
  createContent: Record<string, unknown>;
  creator: string;
  roomIdIfNotDerived: string;
  directoryVisibility: "public" | "private";
  events: NewRoomEvent[];
  /** More rows that belong to the room (its alias), written in the room's transaction. */
  alsoWrite?: (tx: Tx, roomId: string) => Promise<void>;
}

interface PendingSend {
  draft: EventDraft;
  options: PersistOptions;
  resolve(result: PersistedEvent): void;
  reject(error: unknown): void;
}

const MAX_PREV_EVENTS = 10;
const MAX_BATCH = 200;

/**
 * The persist pipeline. One queue per room serialises writes, so each event is authorised against the state
 * it will actually follow, gets the next gapless room sequence and the next stream position, and is stored
 * with its state in one transaction. Sends that arrive while a write is in progress are written together
 * in the next transaction (group commit). Readers are notified once the positions are published.
 */
export class EventPersister {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, PendingSend[]>();
  private readonly memory = new Map<string, Promise<RoomMemory>>();
  private readonly loaded = new Map<string, RoomMemory>();
  private lastCreateTs = 0;
  readonly events: EventsStore;
  readonly rooms: RoomsStore;
  readonly state: StateStore;
  readonly txns: TxnStore;
  readonly messages: MessageAppendStore;
  private readonly txnMemory: TxnIdMemory;

  constructor(private readonly core: CoreContext) {
    this.events = new EventsStore(core.db);
    this.rooms = new RoomsStore(core.db);
    this.state = new StateStore(core.db);
    this.txns = new TxnStore(core.db);
    this.messages = new MessageAppendStore(core.db);
    this.txnMemory = new TxnIdMemory(this.txns);
  }

  /** Runs `work` after every earlier write queued for the same room. */
  serialise<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(roomId) ?? Promise.resolve();
    const next = previous.then(work, work);
    holdUntilSettled(this.queues, roomId, next);
    return next;
  }

  /** The in-memory view of a room, loaded once from the database. Undefined if we do not know the room. */
  async roomMemory(roomId: string): Promise<RoomMemory | undefined> {
    let loading = this.memory.get(roomId);
    if (!loading) {
      loading = this.loadRoomMemory(roomId);
      this.memory.set(roomId, loading);
      const started = loading;
      loading.then(
        (memory) => {
          if (this.memory.get(roomId) === started) this.loaded.set(roomId, memory);
        },
        () => this.memory.delete(roomId),
      );
    }
    try {
      return await loading;
    } catch (error) {
      if (error instanceof UnknownRoom) return undefined;
      throw error;
    }
  }

  /** The memory of a room if it is already loaded (no I/O), for hot paths that can do without it. */
  loadedRoomMemory(roomId: string): RoomMemory | undefined {
    return this.loaded.get(roomId);
  }

  private async loadRoomMemory(roomId: string): Promise<RoomMemory> {
    const room = await this.rooms.get(roomId);
    if (!room) throw new UnknownRoom();
    const version = requireRoomVersion(room.roomVersion);
    const current = await this.rooms.currentState(roomId);
    const stored = await this.events.getMany(current.map((c) => c.eventId));
    const state = new Map<string, IdentifiedPdu>();
    for (const row of current) {
      const event = stored.get(row.eventId);
      if (event) state.set(stateKeyOf(row.type, row.stateKey), event.pdu);
    }
    const extremities = await this.rooms.forwardExtremities(roomId);
    const tips = await this.events.getMany(extremities);
    let maxDepth = 0;
    let stateGroup: number | null = null;
    let latest = -1;
    for (const tip of tips.values()) {
      maxDepth = Math.max(maxDepth, tip.pdu.depth);
      if (tip.streamPos > latest) {
        latest = tip.streamPos;
        stateGroup = tip.stateGroupAfter;
      }
    }
    return new RoomMemory(roomId, version, state, extremities, maxDepth, stateGroup);
  }

  /**
   * Creates a room whole or not at all: the create event and every event after it are built and authorised
   * in memory first (a refusal is M_INVALID_ROOM_STATE with nothing written), then each event's
   * `beforeWrite` runs (a remote invitee's countersignature), then the room row, `alsoWrite`'s rows and all
   * the events go into one transaction. A failure anywhere leaves no row, no memory and no wake-up; the
   * stream positions taken are abandoned. The room id may derive from the create event (v12).
   */
  async createRoom(room: NewRoom): Promise<{ roomId: string; events: PersistedEvent[] }> {
    const { version, creator } = room;
    // In v12 the room id is the create event's hash: two identical create events in the same millisecond
    // would name the same room, so create timestamps from this server strictly increase.
    const createTs = Math.max(this.core.clock.now(), this.lastCreateTs + 1);
    this.lastCreateTs = createTs;
    const create = buildLocalEvent(
      { type: "m.room.create", stateKey: "", sender: creator, content: room.createContent as IdentifiedPdu["content"] },
      { roomId: version.roomIdFromCreateEvent ? undefined : room.roomIdIfNotDerived, prevEvents: [], authEvents: [], depth: 1, originServerTs: createTs },
      version,
      this.core.serverName,
      this.core.signingKey,
    );
    const roomId = version.roomIdFromCreateEvent ? `!${create.event_id.slice(1)}` : room.roomIdIfNotDerived;
    const verdict = checkEventAuth(create, { get: () => undefined }, version);
    if (!verdict.ok) throw errors.invalidRoomState(`Invalid m.room.create event: ${verdict.reason}`);

    // The room as it will stand, event by event: what each next event is authorised against and follows.
    const planned = new RoomMemory(roomId, version, new Map([[stateKeyOf(create.type, ""), create]]), [create.event_id], 1, null);
    const batch: AcceptedEvent[] = [{ pdu: create, options: {} }];
    const plannedPdus = new Map<string, IdentifiedPdu>([[create.event_id, create]]);
    for (const { draft } of room.events) {
      const built = this.build(planned, planned.lookup, draft, planned.extremities, planned.maxDepth + 1, plannedPdus);
      if (built instanceof MatrixError) throw errors.invalidRoomState(`Cannot send ${draft.type}${draft.stateKey ? ` for ${draft.stateKey}` : ""}: ${built.message}`);
      const key = typeof built.state_key === "string" ? stateKeyOf(built.type, built.state_key) : undefined;
      batch.push({ pdu: built, options: {}, replaced: key ? planned.state.get(key) : undefined });
      if (key) planned.setState(key, built);
      planned.extremities = [built.event_id];
      plannedPdus.set(built.event_id, built);
      planned.maxDepth = built.depth;
    }
    // Only once every event is known to be valid does anything leave this server.
    for (const [i, { beforeWrite }] of room.events.entries()) {
      if (beforeWrite) batch[i + 1].pdu = await beforeWrite(batch[i + 1].pdu, planned);
    }

    const positions = await this.serialise(roomId, async () => {
      const memory = new RoomMemory(roomId, version, new Map(), [], 0, null);
      const written = await writeBatch(this.core, this, memory, batch, async (tx) => {
        await this.rooms.create(tx, { roomId, roomVersion: version.id, creator, createdTs: createTs, directoryVisibility: room.directoryVisibility });
        await room.alsoWrite?.(tx, roomId);
      });
      this.memory.set(roomId, Promise.resolve(memory));
      this.loaded.set(roomId, memory);
      return written;
    });
    return { roomId, events: batch.map(({ pdu }, i) => ({ eventId: pdu.event_id, streamPos: positions[i], pdu, deduplicated: false })) };
  }

  /** Builds, authorises and persists an event from a local user. Rejects with M_FORBIDDEN when auth refuses it. */
  persistLocal(roomId: string, draft: EventDraft, options: PersistOptions = {}): Promise<PersistedEvent> {
    return new Promise<PersistedEvent>((resolve, reject) => {
      let queue = this.pending.get(roomId);
      if (!queue) this.pending.set(roomId, (queue = []));
      queue.push({ draft, options, resolve, reject });
      // Each send schedules a drain; a drain takes everything pending, so later drains may find nothing.
      void this.serialise(roomId, () => this.drain(roomId));
    });
  }

  private async drain(roomId: string): Promise<void> {
    while (true) {
      const queue = this.pending.get(roomId);
      if (!queue || queue.length === 0) return;
      const items = queue.splice(0, MAX_BATCH);
      try {
        await this.persistBatch(roomId, items);
      } catch (error) {
        for (const item of items) item.reject(error);
      }
    }
  }

  private async persistBatch(roomId: string, items: PendingSend[]): Promise<void> {
    const memory = await this.roomMemory(roomId);
    if (!memory) {
      for (const item of items) item.reject(errors.notFound("Unknown room"));
      return;
    }
    const earlier = await this.txnMemory.lookup(items.flatMap((i) => txnRefOf(i.draft.sender, i.options) ?? []));
    // Events in this batch are authorised against the state left by the ones before them.
    const staged = new Map<string, IdentifiedPdu>();
    const lookup: StateLookup = { get: (type, key) => staged.get(stateKeyOf(type, key)) ?? memory.state.get(stateKeyOf(type, key)) };
    let extremities = memory.extremities.slice(0, MAX_PREV_EVENTS);
    let depth = memory.maxDepth;
    // Room versions 1 and 2 cite prev events with their reference hashes: the extremities' events, then each
    // event of this batch for the next. Later versions' ids are the hashes, and need no read.
    const prevPdus = new Map<string, IdentifiedPdu>();
    if (memory.version.eventIdFormat === "server-generated") {
      for (const [id, stored] of await this.events.getMany(extremities)) prevPdus.set(id, stored.pdu);
    }
    const accepted: Array<AcceptedEvent & { item: PendingSend }> = [];
    const duplicates: Array<{ item: PendingSend; eventId: string }> = [];
    const batchTxns = new Map<string, string>();
    for (const item of items) {
      const { draft, options } = item;
      const ref = txnRefOf(draft.sender, options);
      const key = ref ? txnKey(ref.userId, ref.deviceId, ref.scope, ref.txnId) : undefined;
      const previous = key ? (earlier.get(key) ?? batchTxns.get(key)) : undefined;
      if (previous) {
        duplicates.push({ item, eventId: previous });
        continue;
      }
      let built: IdentifiedPdu | MatrixError = this.build(memory, lookup, draft, extremities, depth + 1, prevPdus);
      if (!(built instanceof MatrixError) && options.beforeWrite) {
        try {
          built = await options.beforeWrite(built);
        } catch (error) {
          item.reject(error);
          continue;
        }
      }
      if (built instanceof MatrixError) {
        item.reject(built);
        continue;
      }
      const stateKey = typeof built.state_key === "string" ? stateKeyOf(built.type, built.state_key) : undefined;
      const replaced = stateKey ? (staged.get(stateKey) ?? memory.state.get(stateKey)) : undefined;
      if (stateKey) staged.set(stateKey, built);
      extremities = [built.event_id];
      prevPdus.set(built.event_id, built);
      depth = built.depth;
      if (key) batchTxns.set(key, built.event_id);
      accepted.push({ pdu: built, options, replaced, redactionTarget: await this.redactionTargetToApply(built, memory, lookup), item });
    }
    if (accepted.length > 0) {
      const positions = await writeBatch(this.core, this, memory, accepted);
      for (const { pdu, options } of accepted) {
        const ref = txnRefOf(pdu.sender, options);
        if (ref) this.txnMemory.remember(ref, pdu.event_id);
      }
      accepted.forEach((a, i) => a.item.resolve({ eventId: a.pdu.event_id, streamPos: positions[i], pdu: a.pdu, deduplicated: false }));
    }
    for (const { item, eventId } of duplicates) {
      const stored = await this.events.get(eventId);
      if (stored) item.resolve({ eventId, streamPos: stored.streamPos, pdu: stored.pdu, deduplicated: true });
      else item.reject(errors.unknown("Duplicate transaction was not stored", 500));
    }
  }

  /** `prevPdus`: the prev events where at hand, for the reference hashes of room versions 1 and 2. */
  private build(
    memory: RoomMemory,
    lookup: StateLookup,
    draft: EventDraft,
    prevEvents: string[],
    depth: number,
    prevPdus?: ReadonlyMap<string, IdentifiedPdu>,
  ): IdentifiedPdu | MatrixError {
    const version = memory.version;
    const authPdus = authEventTypesFor({ type: draft.type, sender: draft.sender, state_key: draft.stateKey, content: draft.content }, version)
      .map(([type, stateKey]) => lookup.get(type, stateKey))
      .filter((pdu): pdu is IdentifiedPdu => pdu !== undefined);
    const authEvents = authPdus.map((pdu) => pdu.event_id);
    const cited = version.eventIdFormat === "server-generated" ? new Map([...(prevPdus ?? []), ...authPdus.map((pdu) => [pdu.event_id, pdu] as const)]) : undefined;
    const pdu = buildLocalEvent(
      draft,
      { roomId: memory.roomId, prevEvents, authEvents, depth, originServerTs: this.core.clock.now(), cited },
      version,
      this.core.serverName,
      this.core.signingKey,
    );
    const verdict = checkEventAuth(pdu, lookup, version);
    return verdict.ok ? pdu : errors.forbidden(verdict.reason);
  }

  /** A redaction takes effect on its target only if the sender may redact it (v3+ checks this here). */
  private async redactionTargetToApply(pdu: IdentifiedPdu, memory: RoomMemory, lookup: StateLookup): Promise<string | undefined> {
    if (pdu.type !== "m.room.redaction") return undefined;
    const targetId = redactsOf(pdu, memory.version);
    const target = targetId ? await this.events.get(targetId) : undefined;
    if (!target) return undefined;
    return canApplyRedaction(pdu, target.pdu, lookup, memory.version) ? target.pdu.event_id : undefined;
  }

  /** Holds the memory of a room made outside the queue (a remote join), so later writes build on it. */
  adoptMemory(memory: RoomMemory): void {
    this.memory.set(memory.roomId, Promise.resolve(memory));
    this.loaded.set(memory.roomId, memory);
  }
}

class UnknownRoom extends Error {}
