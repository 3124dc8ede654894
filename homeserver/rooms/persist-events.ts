import type { CoreContext } from "../app/core-context.js";
import { errors } from "../errors.js";
import { authEventTypesFor, checkEventAuth, canApplyRedaction, redactsOf } from "../events/auth-rules/index.js";
import { stateKeyOf, type IdentifiedPdu } from "../events/pdu.js";
import { requireRoomVersion, type RoomVersion } from "../events/room-versions.js";
import { EventsStore, type StoredEvent } from "../storage/stores/events-store.js";
import { RoomsStore } from "../storage/stores/rooms-store.js";
import { StateStore, type StateMap } from "../storage/stores/state-store.js";
import { TxnStore } from "../storage/stores/txn-store.js";
import type { Tx } from "../storage/database.js";
import { buildLocalEvent, type EventDraft } from "./event-factory.js";
import { RoomMemory } from "./room-memory.js";

export interface PersistOptions {
  senderDevice?: string;
  txnId?: string;
}

export interface PersistedEvent {
  eventId: string;
  streamPos: number;
  pdu: IdentifiedPdu;
  /** True when a retried txnId matched an event we already had. */
  deduplicated: boolean;
}

const MAX_PREV_EVENTS = 10;

/**
 * The persist pipeline: one queue per room serialises writes, so each event is authorised against the state
 * it will actually follow, gets the next gapless room sequence and the next stream position, and is stored
 * with its state in one transaction. Readers are notified once the position is published.
 */
export class EventPersister {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly memory = new Map<string, Promise<RoomMemory>>();
  private lastCreateTs = 0;
  readonly events: EventsStore;
  readonly rooms: RoomsStore;
  readonly state: StateStore;
  readonly txns: TxnStore;

  constructor(private readonly core: CoreContext) {
    this.events = new EventsStore(core.db);
    this.rooms = new RoomsStore(core.db);
    this.state = new StateStore(core.db);
    this.txns = new TxnStore(core.db);
  }

  /** Runs `work` after every earlier write queued for the same room. */
  serialise<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(roomId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(roomId, settled);
    void settled.then(() => {
      if (this.queues.get(roomId) === settled) this.queues.delete(roomId);
    });
    return next;
  }

  /** The in-memory view of a room, loaded once from the database. Undefined if we do not know the room. */
  async roomMemory(roomId: string): Promise<RoomMemory | undefined> {
    let pending = this.memory.get(roomId);
    if (!pending) {
      pending = this.loadRoomMemory(roomId);
      this.memory.set(roomId, pending);
      pending.catch(() => this.memory.delete(roomId));
    }
    try {
      return await pending;
    } catch (error) {
      if (error instanceof UnknownRoom) return undefined;
      throw error;
    }
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

  /** Creates the room row and persists its m.room.create event; the room id may derive from the event (v12). */
  async createRoom(
    version: RoomVersion,
    createContent: Record<string, unknown>,
    creator: string,
    roomIdIfNotDerived: string,
  ): Promise<{ roomId: string; event: PersistedEvent }> {
    // In v12 the room id is the create event's hash: two identical create events in the same millisecond
    // would name the same room, so create timestamps from this server strictly increase.
    const createTs = Math.max(this.core.clock.now(), this.lastCreateTs + 1);
    this.lastCreateTs = createTs;
    const pdu = buildLocalEvent(
      { type: "m.room.create", stateKey: "", sender: creator, content: createContent as IdentifiedPdu["content"] },
      {
        roomId: version.roomIdFromCreateEvent ? undefined : roomIdIfNotDerived,
        prevEvents: [],
        authEvents: [],
        depth: 1,
        originServerTs: createTs,
      },
      version,
      this.core.serverName,
      this.core.signingKey,
    );
    const roomId = version.roomIdFromCreateEvent ? `!${pdu.event_id.slice(1)}` : roomIdIfNotDerived;
    const verdict = checkEventAuth(pdu, { get: () => undefined }, version);
    if (!verdict.ok) throw errors.badJson(`Invalid m.room.create event: ${verdict.reason}`);
    const event = await this.serialise(roomId, async () => {
      const memory = new RoomMemory(roomId, version, new Map(), [], 0, null);
      return this.write(memory, pdu, {}, async (tx) => {
        await this.rooms.create(tx, { roomId, roomVersion: version.id, creator, createdTs: this.core.clock.now(), directoryVisibility: "private" });
      });
    });
    return { roomId, event };
  }

  /** Builds, authorises and persists an event from a local user. Throws M_FORBIDDEN when auth rejects it. */
  async persistLocal(roomId: string, draft: EventDraft, options: PersistOptions = {}): Promise<PersistedEvent> {
    return this.serialise(roomId, async () => {
      if (options.txnId && options.senderDevice) {
        const earlier = await this.txns.find(draft.sender, options.senderDevice, options.txnId);
        if (earlier) {
          const stored = await this.events.get(earlier.eventId);
          if (stored) return { eventId: earlier.eventId, streamPos: stored.streamPos, pdu: stored.pdu, deduplicated: true };
        }
      }
      const memory = await this.roomMemory(roomId);
      if (!memory) throw errors.notFound("Unknown room");
      const version = memory.version;
      const authEvents = authEventTypesFor({ type: draft.type, sender: draft.sender, state_key: draft.stateKey, content: draft.content }, version)
        .map(([type, stateKey]) => memory.stateEvent(type, stateKey)?.event_id)
        .filter((id): id is string => id !== undefined);
      const pdu = buildLocalEvent(
        draft,
        {
          roomId,
          prevEvents: memory.extremities.slice(0, MAX_PREV_EVENTS),
          authEvents,
          depth: memory.maxDepth + 1,
          originServerTs: this.core.clock.now(),
        },
        version,
        this.core.serverName,
        this.core.signingKey,
      );
      const verdict = checkEventAuth(pdu, memory.lookup, version);
      if (!verdict.ok) throw errors.forbidden(verdict.reason);
      return this.write(memory, pdu, options);
    });
  }

  /** The one transaction that stores an event; memory and readers are updated only after it commits. */
  private async write(memory: RoomMemory, pdu: IdentifiedPdu, options: PersistOptions, before?: (tx: Tx) => Promise<void>): Promise<PersistedEvent> {
    const roomId = memory.roomId;
    const isState = typeof pdu.state_key === "string";
    const key = isState ? stateKeyOf(pdu.type, pdu.state_key!) : undefined;
    const replaced = key ? memory.state.get(key) : undefined;
    const redactionTarget = await this.redactionTargetToApply(pdu, memory);
    const publisher = this.core.streams.events;
    const streamPos = publisher.allocate();
    let committed = false;
    try {
      await this.core.database.transaction(async (tx) => {
        if (before) await before(tx);
        const roomSeq = await this.rooms.nextSeq(tx, roomId);
        const groupBefore = memory.stateGroup;
        let groupAfter = groupBefore;
        if (key) {
          groupAfter = await this.state.createGroup(tx, roomId, groupBefore, new Map([[key, pdu.event_id]]), async () => {
            const full: StateMap = new Map([...memory.state].map(([k, e]) => [k, e.event_id]));
            full.set(key, pdu.event_id);
            return full;
          });
        }
        const unsigned = replaced
          ? { replaces_state: replaced.event_id, prev_content: replaced.content, prev_sender: replaced.sender }
          : null;
        await this.events.insert(tx, {
          roomId,
          streamPos,
          roomSeq,
          pdu,
          unsigned,
          senderDevice: options.senderDevice ?? null,
          txnId: options.txnId ?? null,
          stateGroupBefore: groupBefore,
          stateGroupAfter: groupAfter,
        });
        if (key) {
          await this.rooms.setCurrentState(tx, roomId, {
            type: pdu.type,
            stateKey: pdu.state_key!,
            eventId: pdu.event_id,
            membership: pdu.type === "m.room.member" ? String(pdu.content.membership) : null,
            streamPos,
          });
        }
        await this.rooms.replaceForwardExtremities(tx, roomId, memory.extremities, pdu.event_id);
        if (options.txnId && options.senderDevice) {
          await this.txns.record(tx, {
            userId: pdu.sender,
            deviceId: options.senderDevice,
            txnId: options.txnId,
            eventId: pdu.event_id,
            roomId,
            ts: this.core.clock.now(),
          });
        }
        if (redactionTarget) await this.events.markRedacted(tx, redactionTarget, pdu.event_id);
        // Memory is updated inside the commit hook so it changes exactly when the data becomes durable.
        this.core.database.onCommit(tx, () => {
          committed = true;
          if (key) memory.state.set(key, pdu);
          memory.extremities = [pdu.event_id];
          memory.maxDepth = Math.max(memory.maxDepth, pdu.depth);
          memory.stateGroup = groupAfter;
        });
      });
    } finally {
      const audience = {
        rooms: [roomId],
        users: pdu.type === "m.room.member" && pdu.state_key ? [pdu.state_key] : [],
      };
      publisher.finish(streamPos, committed ? () => this.core.notifier.onNew("events", streamPos, audience) : undefined);
    }
    if (!this.memory.has(roomId)) this.memory.set(roomId, Promise.resolve(memory));
    return { eventId: pdu.event_id, streamPos, pdu, deduplicated: false };
  }

  /** A redaction takes effect on its target only if the sender may redact it (v3+ checks this here). */
  private async redactionTargetToApply(pdu: IdentifiedPdu, memory: RoomMemory): Promise<string | undefined> {
    if (pdu.type !== "m.room.redaction") return undefined;
    const targetId = redactsOf(pdu, memory.version);
    const target = targetId ? await this.events.get(targetId) : undefined;
    if (!target) return undefined;
    return canApplyRedaction(pdu, target.pdu, memory.lookup, memory.version) ? target.pdu.event_id : undefined;
  }

  /** Forget cached memory of a room, e.g. after an out-of-band change; the next write reloads it. */
  forget(roomId: string): void {
    this.memory.delete(roomId);
  }

  async stored(eventId: string): Promise<StoredEvent | undefined> {
    return this.events.get(eventId);
  }
}

class UnknownRoom extends Error {}
