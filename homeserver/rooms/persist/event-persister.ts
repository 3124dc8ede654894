import type { CoreContext } from "../../core/core-context.js";
import { errors, MatrixError } from "../../errors.js";
import { authEventTypesFor, checkEventAuth } from "../../events/auth-rules/index.js";
import { stateKeyOf, type IdentifiedPdu, type StateLookup } from "../../events/pdu.js";
import type { RoomVersion } from "../../events/room-versions.js";
import type { Stores } from "../../storage/stores/stores.js";
import type { Tx } from "../../storage/database.js";
import { TxnIdMemory, txnKey } from "../txn-id-memory.js";
import { buildLocalEvent, type EventDraft } from "../event-factory.js";
import { holdUntilSettled } from "../settling-promises.js";
import { timeline, txnRefOf, type AcceptedEvent, type PersistOptions } from "./accepted-event.js";
import type { AfterPersist } from "./after-commit.js";
import type { PushActionsOf } from "../push/push-evaluator.js";
import { EventWriter, type EventsToWrite } from "./event-writer.js";
import type { OutOfBandMembership } from "./write-batch.js";
import { OutsidePositions } from "./outside-positions.js";
import { RoomMemories } from "./room-memories.js";
import { RoomMemory } from "./room-memory.js";

export type { PersistOptions } from "./accepted-event.js";

export type OutOfBandWrite = Omit<OutOfBandMembership, "position">;

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
 * The persist pipeline's entry: one queue per room serialises writes, so each event is authorised against
 * the state it will actually follow, gets the next gapless room sequence and the next stream position, and
 * is stored with its state in one transaction (EventWriter). Local sends that arrive while a write is in
 * progress are written together in the next transaction (group commit); remote events come in already
 * checked and placed (rooms/remote/ingest-events.ts) and take the same write.
 */
export class EventPersister {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, PendingSend[]>();
  private readonly memories: RoomMemories;
  private readonly writer: EventWriter;
  /** The one allocator of negative positions (outliers, soft-failed, rejected, backfilled). */
  private readonly outside: OutsidePositions;
  private lastCreateTs = 0;
  private readonly txnMemory: TxnIdMemory;

  /**
   * `pushActions`: who each batch's events notify, written in the batch's transaction; `afterPersist`: work that
   * follows every committed batch of timeline events (pushers, later).
   */
  constructor(
    private readonly core: CoreContext,
    private readonly stores: Pick<Stores, "events" | "rooms" | "state" | "txns" | "messages" | "pushActions">,
    options: { pushActions?: PushActionsOf; afterPersist?: readonly AfterPersist[] } = {},
  ) {
    this.txnMemory = new TxnIdMemory(stores.txns);
    this.memories = new RoomMemories(stores);
    this.outside = new OutsidePositions(core.db);
    this.writer = new EventWriter({
      database: core.database,
      stores,
      publisher: core.streams.events,
      outside: this.outside,
      notify: (position, notice) => core.notifier.onNew("events", position, notice),
      clock: core.clock,
      pushActions: options.pushActions,
      after: options.afterPersist,
    });
  }

  /** Runs `work` after every earlier write queued for the same room. */
  serialise<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(roomId) ?? Promise.resolve();
    const next = previous.then(work, work);
    holdUntilSettled(this.queues, roomId, next);
    return next;
  }

  /** The in-memory view of a room, loaded once from the database. Undefined if we do not know the room. */
  roomMemory(roomId: string): Promise<RoomMemory | undefined> {
    return this.memories.get(roomId);
  }

  /** The memory of a room if it is already loaded (no I/O), for hot paths that can do without it. */
  loadedRoomMemory(roomId: string): RoomMemory | undefined {
    return this.memories.getLoaded(roomId);
  }

  /** Holds the memory of a room made outside the queue (a remote join), so later writes build on it. */
  adoptMemory(memory: RoomMemory): void {
    this.memories.adopt(memory);
  }

  /**
   * Writes events that were checked and placed elsewhere (received over federation); call it from inside
   * the room's queue (`serialise`). Returns each event's stream position.
   */
  writeAccepted(batch: EventsToWrite): Promise<number[]> {
    return this.writer.write(batch);
  }

  /** Our user's membership in a room we may not hold (a received invite, a knock, a rejection); from the room's queue. */
  writeOutOfBand(membership: OutOfBandWrite): Promise<number> {
    return this.writer.writeOutOfBand(membership);
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
    const batch: AcceptedEvent[] = [{ pdu: create, placement: timeline, fresh: true }];
    const plannedPdus = new Map<string, IdentifiedPdu>([[create.event_id, create]]);
    for (const { draft } of room.events) {
      const built = this.build(planned, planned.lookup, draft, planned.extremities, planned.maxDepth + 1, plannedPdus);
      if (built instanceof MatrixError) throw errors.invalidRoomState(`Cannot send ${draft.type}${draft.stateKey ? ` for ${draft.stateKey}` : ""}: ${built.message}`);
      const key = typeof built.state_key === "string" ? stateKeyOf(built.type, built.state_key) : undefined;
      batch.push({ pdu: built, placement: timeline, fresh: true });
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
      const written = await this.writer.write({
        memory,
        events: batch,
        before: async (tx: Tx) => {
          await this.stores.rooms.create(tx, { roomId, roomVersion: version.id, creator, createdTs: createTs, directoryVisibility: room.directoryVisibility });
          await room.alsoWrite?.(tx, roomId);
        },
      });
      this.memories.adopt(memory);
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
      for (const [id, stored] of await this.stores.events.getMany(extremities)) prevPdus.set(id, stored.pdu);
    }
    const accepted: Array<AcceptedEvent & { item: PendingSend; options: PersistOptions }> = [];
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
      if (typeof built.state_key === "string") staged.set(stateKeyOf(built.type, built.state_key), built);
      extremities = [built.event_id];
      prevPdus.set(built.event_id, built);
      depth = built.depth;
      if (key) batchTxns.set(key, built.event_id);
      // A redaction applies to its target by the state it was authorised against, as this batch stands now.
      const authState = built.type === "m.room.redaction" ? snapshotOf(memory, staged) : undefined;
      accepted.push({ pdu: built, placement: timeline, options, authState, fresh: true, item });
    }
    if (accepted.length > 0) {
      const positions = await this.writer.write({ memory, events: accepted });
      for (const { pdu, options } of accepted) {
        const ref = txnRefOf(pdu.sender, options);
        if (ref) this.txnMemory.remember(ref, pdu.event_id);
      }
      accepted.forEach((a, i) => a.item.resolve({ eventId: a.pdu.event_id, streamPos: positions[i], pdu: a.pdu, deduplicated: false }));
    }
    for (const { item, eventId } of duplicates) {
      const stored = await this.stores.events.get(eventId);
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
}

/**
 * The state as a batch stands at one of its events: the batch's state so far over memory (which changes only
 * once the batch commits).
 */
function snapshotOf(memory: RoomMemory, staged: ReadonlyMap<string, IdentifiedPdu>): StateLookup {
  const sofar = new Map(staged);
  return { get: (type, key) => sofar.get(stateKeyOf(type, key)) ?? memory.state.get(stateKeyOf(type, key)) };
}
