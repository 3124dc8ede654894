import { stateKeyOf, type IdentifiedPdu } from "../../events/pdu.js";
import type { Database, Tx } from "../../storage/database.js";
import type { EventsStore, NewEventRow, StoredEvent, TxnIdRow } from "../../storage/stores/events-store.js";
import type { MessageAppendStore } from "../../storage/stores/message-append-store.js";
import { hasPushOutcomes, type PushActionsStore, type PushOutcomes } from "../../storage/stores/push-actions-store.js";
import type { RoomsStore } from "../../storage/stores/rooms-store.js";
import { splitKey, type StateMap, type StateStore } from "../../storage/stores/state-store.js";
import { txnRefOf, type AcceptedEvent, type RoomAfter } from "./accepted-event.js";
import type { MemoryChange } from "./after-commit.js";
import { Redactions } from "./redactions.js";
import type { RoomMemory } from "./room-memory.js";

export interface WriteStores {
  events: EventsStore;
  rooms: RoomsStore;
  state: StateStore;
  messages: MessageAppendStore;
  pushActions: PushActionsStore;
}

export interface BatchToWrite {
  memory: RoomMemory;
  /** In order; each timeline event follows the one before it unless it carries its own state before. */
  events: readonly AcceptedEvent[];
  /** One per event, from assign-positions. */
  positions: readonly number[];
  /** How the room stands afterwards, when the batch does not simply extend it. */
  roomAfter?: RoomAfter;
  /** More rows that belong in the same transaction (a new room's row and alias). */
  before?: (tx: Tx) => Promise<void>;
  now: number;
  /** Who the batch's events notify, written with them (push-evaluator.ts). */
  push?: PushOutcomes;
}

export interface WrittenBatch {
  /** The timeline events as stored, oldest first: what a read of the room returns for them. */
  rows: StoredEvent[];
  /** False when the transaction also redacted some event: then the rows no longer tell readers everything. */
  rowsCurrent: boolean;
  /** The events this transaction marked redacted (older ones, or written ones a waiting redaction applied to). */
  redacted: string[];
  /** Absent when nothing in the room's current state, extremities or depth moved (only outliers written). */
  memory?: MemoryChange;
}

/** Rows per INSERT: a remote join writes thousands of outliers at once, and a statement's parameters are bounded. */
const ROWS_PER_INSERT = 500;

/**
 * The one transaction of the persist pipeline, for local sends and remote events alike: the room sequence,
 * state groups, the events with their state deltas (`replaces_state`, `prev_content`), current state,
 * forward extremities, redactions, transaction ids and push actions. A batch of plain local messages (the
 * common case in a busy room) is a single statement.
 */
export async function writeBatch(database: Database, stores: WriteStores, batch: BatchToWrite): Promise<WrittenBatch> {
  const txnIds = txnRowsOf(batch);
  if (isMessagesOnly(batch)) return appendMessages(stores, batch, txnIds);
  let written!: WrittenBatch;
  await database.transaction(async (tx) => {
    if (batch.before) await batch.before(tx);
    written = await writeInTransaction(tx, stores, batch, txnIds);
  });
  return written;
}

function isMessagesOnly({ events, roomAfter, before }: BatchToWrite): boolean {
  return (
    !before &&
    !roomAfter &&
    events.every((e) => e.placement.kind === "timeline" && !e.placement.stateBefore && e.fresh && typeof e.pdu.state_key !== "string" && e.pdu.type !== "m.room.redaction")
  );
}

function txnRowsOf({ memory, events, now }: BatchToWrite): TxnIdRow[] {
  return events.flatMap(({ pdu, options }) => {
    const ref = options && txnRefOf(pdu.sender, options);
    return ref ? [{ user_id: ref.userId, device_id: ref.deviceId, scope: ref.scope, txn_id: ref.txnId, event_id: pdu.event_id, room_id: memory.roomId, created_ts: now }] : [];
  });
}

async function appendMessages(stores: WriteStores, { memory, events, positions, push }: BatchToWrite, txnIds: TxnIdRow[]): Promise<WrittenBatch> {
  const messages = events.map(({ pdu, options }, i) => ({ streamPos: positions[i], pdu, senderDevice: options?.senderDevice ?? null, txnId: options?.txnId ?? null }));
  const last = events[events.length - 1].pdu;
  const group = memory.stateGroup;
  const { firstRoomSeq } = await stores.messages.append(memory.roomId, group, messages, txnIds, { remove: memory.extremities, add: last.event_id }, push);
  const rows = messages.map(({ streamPos, pdu, senderDevice, txnId }, i) => ({
    streamPos,
    roomSeq: firstRoomSeq + i,
    pdu,
    unsigned: null,
    senderDevice,
    txnId,
    redactedBy: null,
    stateGroupBefore: group,
    stateGroupAfter: group,
  }));
  return { rows, rowsCurrent: true, redacted: [], memory: { state: new Map(), replace: false, extremities: [last.event_id], maxDepth: maxDepthOf(memory, events), stateGroup: group } };
}

async function writeInTransaction(tx: Tx, stores: WriteStores, batch: BatchToWrite, txnIds: TxnIdRow[]): Promise<WrittenBatch> {
  const { memory, events, positions, roomAfter } = batch;
  const roomId = memory.roomId;
  const liveCount = events.filter((e) => e.placement.kind === "timeline").length;
  let nextSeq = liveCount > 0 ? (await stores.rooms.advanceSeq(tx, roomId, liveCount)) - liveCount + 1 : 0;

  // The state the next timeline event follows: a base (the room's current state, or an event's own state
  // before) and the state events of this batch laid over it.
  let base: ReadonlyMap<string, string> | undefined;
  let staged = new Map<string, IdentifiedPdu>();
  let group = memory.stateGroup;
  const idBefore = (key: string) => staged.get(key)?.event_id ?? (base ? base.get(key) : memory.state.get(key)?.event_id);
  const fullBefore = (): StateMap => {
    const full: StateMap = base ? new Map(base) : new Map([...memory.state].map(([k, e]) => [k, e.event_id]));
    for (const [k, e] of staged) full.set(k, e.event_id);
    return full;
  };

  const rows: NewEventRow[] = [];
  const live: StoredEvent[] = [];
  const promoted: Array<{ eventId: string; streamPos: number; stateGroupBefore: number | null }> = [];
  /** The state changes along the chain, for memory when the batch extends the room. */
  const changed = new Map<string, IdentifiedPdu>();
  for (const [i, event] of events.entries()) {
    const { pdu, placement, options } = event;
    const common = { roomId, streamPos: positions[i], pdu, senderDevice: options?.senderDevice ?? null, txnId: options?.txnId ?? null };
    if (placement.kind === "backfilled") {
      if (placement.heldAsOutlier) {
        promoted.push({ eventId: pdu.event_id, streamPos: positions[i], stateGroupBefore: placement.stateBeforeGroup });
        continue;
      }
      // The state at backfilled events is not fetched; history visibility reads the state our oldest event
      // started from, which puts our users outside the room at those events.
      rows.push({ ...common, roomSeq: positions[i], unsigned: null, stateGroupBefore: placement.stateBeforeGroup, stateGroupAfter: null });
      continue;
    }
    if (placement.kind !== "timeline") {
      rows.push({
        ...common,
        roomSeq: positions[i],
        unsigned: null,
        stateGroupBefore: placement.kind === "soft-failed" ? placement.stateBeforeGroup : null,
        stateGroupAfter: null,
        outlier: placement.kind !== "soft-failed",
        softFailed: placement.kind === "soft-failed",
        rejectedReason: placement.kind === "rejected" ? placement.reason : null,
      });
      continue;
    }
    if (placement.stateBefore) {
      const { map, group: stored } = placement.stateBefore;
      base = map;
      staged = new Map();
      group = stored ?? (await stores.state.createGroup(tx, roomId, null, map, async () => map));
    }
    const groupBefore = group;
    let unsigned: Record<string, unknown> | null = null;
    if (typeof pdu.state_key === "string") {
      const key = stateKeyOf(pdu.type, pdu.state_key);
      const replacedId = idBefore(key);
      const replaced = replacedId === undefined ? undefined : await stateEventById(tx, stores, memory, staged, key, replacedId);
      if (replaced) unsigned = { replaces_state: replaced.event_id, prev_content: replaced.content, prev_sender: replaced.sender };
      group = await stores.state.createGroup(tx, roomId, groupBefore, new Map([[key, pdu.event_id]]), async () => fullBefore().set(key, pdu.event_id));
      staged.set(key, pdu);
      changed.set(key, pdu);
    }
    const row = { ...common, roomSeq: nextSeq++, unsigned, stateGroupBefore: groupBefore, stateGroupAfter: group };
    rows.push(row);
    const { roomId: _room, ...stored } = row;
    live.push({ ...stored, redactedBy: null });
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await stores.events.insertMany(tx, rows.slice(i, i + ROWS_PER_INSERT), i === 0 ? txnIds : []);
  }

  for (const row of promoted) await stores.events.promoteOutlier(tx, row.eventId, row.streamPos, row.stateGroupBefore);

  const redacted: string[] = [];
  const redactions = new Redactions(stores.events);
  const history = events.filter((e) => e.placement.kind === "timeline" || (e.placement.kind === "backfilled" && !e.placement.heldAsOutlier));
  for (const { pdu, authState } of history) redacted.push(...(await redactions.redactionWritten(tx, memory, pdu, authState)));
  // An outlier held already was checked against the pending redactions when it was first written.
  const mayBeTargets = events.filter((e) => !e.fresh && e.placement.kind !== "rejected" && !(e.placement.kind === "backfilled" && e.placement.heldAsOutlier)).map((e) => e.pdu);
  if (mayBeTargets.length > 0) redacted.push(...(await redactions.targetsWritten(tx, memory, mayBeTargets)));
  const rejected = events.filter((e) => e.placement.kind === "rejected").map((e) => e.pdu);
  if (rejected.length > 0) await redactions.targetsRejected(tx, rejected);

  if (hasPushOutcomes(batch.push)) await stores.pushActions.insert(tx, batch.push);
  // A redacted event notifies no one any more, as Synapse has it.
  if (redacted.length > 0) await stores.pushActions.deleteForEvents(tx, redacted);

  const memoryChange = live.length === 0 ? undefined : await updateRoom(tx, stores, memory, live, changed, group, roomAfter);
  return { rows: live, rowsCurrent: redacted.length === 0, redacted, memory: memoryChange };
}

/** The content a state event replaces: from this batch or memory when at hand, else from the database. */
async function stateEventById(tx: Tx, stores: WriteStores, memory: RoomMemory, staged: Map<string, IdentifiedPdu>, key: string, eventId: string) {
  const near = staged.get(key) ?? memory.state.get(key);
  if (near?.event_id === eventId) return near;
  return (await stores.events.get(eventId, tx))?.pdu;
}

/** Current state, forward extremities and the room's current state group, as the batch leaves them. */
async function updateRoom(
  tx: Tx,
  stores: WriteStores,
  memory: RoomMemory,
  live: StoredEvent[],
  changed: Map<string, IdentifiedPdu>,
  chainGroup: number | null,
  roomAfter: RoomAfter | undefined,
): Promise<MemoryChange> {
  const roomId = memory.roomId;
  const last = live[live.length - 1];
  const maxDepth = Math.max(memory.maxDepth, ...live.map((e) => e.pdu.depth));
  if (!roomAfter) {
    for (const { pdu, streamPos } of live) {
      if (typeof pdu.state_key !== "string") continue;
      await stores.rooms.setCurrentState(tx, roomId, {
        type: pdu.type,
        stateKey: pdu.state_key,
        eventId: pdu.event_id,
        membership: pdu.type === "m.room.member" ? String(pdu.content.membership) : null,
        streamPos,
      });
    }
    await stores.rooms.replaceForwardExtremities(tx, roomId, memory.extremities, last.pdu.event_id);
    return { state: changed, replace: false, extremities: [last.pdu.event_id], maxDepth, stateGroup: chainGroup };
  }
  // Resolved state: write exactly what differs from what the room had.
  for (const [key, event] of roomAfter.currentState) {
    if (memory.state.get(key)?.event_id === event.event_id) continue;
    const [type, stateKey] = splitKey(key);
    await stores.rooms.setCurrentState(tx, roomId, {
      type,
      stateKey,
      eventId: event.event_id,
      membership: type === "m.room.member" ? String(event.content.membership) : null,
      streamPos: last.streamPos,
    });
  }
  for (const key of memory.state.keys()) {
    if (!roomAfter.currentState.has(key)) await stores.rooms.deleteCurrentState(tx, roomId, ...splitKey(key));
  }
  await stores.rooms.setForwardExtremities(tx, roomId, roomAfter.extremities);
  // The next local event's "state before" is the current state; give it a group unless the last event's is it.
  const single = roomAfter.extremities.length === 1 && roomAfter.extremities[0] === last.pdu.event_id;
  const stateGroup = single
    ? chainGroup
    : await stores.state.createGroup(tx, roomId, null, new Map(), async () => new Map([...roomAfter.currentState].map(([k, e]) => [k, e.event_id])));
  return { state: new Map(roomAfter.currentState), replace: true, extremities: roomAfter.extremities, maxDepth, stateGroup };
}

function maxDepthOf(memory: RoomMemory, events: readonly AcceptedEvent[]): number {
  return Math.max(memory.maxDepth, ...events.map((e) => e.pdu.depth));
}

/** A membership of one of our users in a room this server may not hold (an invite, a knock, a rejection). */
export interface OutOfBandMembership {
  roomId: string;
  /** Whether we hold the room (it has a sequence to take from). */
  roomKnown: boolean;
  pdu: IdentifiedPdu;
  unsigned: Record<string, unknown> | null;
  position: number;
  /** Rows this one replaces (a rejection replaces the invite), deleted in the same transaction. */
  before?: (tx: Tx) => Promise<void>;
}

/** Per-room sequence numbers of out-of-band memberships in rooms we do not hold: unique, and far below any other. */
const OUT_OF_BAND_SEQ_BASE = Number.MIN_SAFE_INTEGER;

/**
 * Out-of-band membership takes a live position, so that the invitee's /sync sees it, but it is held as an
 * outlier: it has no state and is not part of the room's timeline as we know it.
 */
export async function writeOutOfBand(database: Database, stores: WriteStores, write: OutOfBandMembership): Promise<void> {
  await database.transaction(async (tx) => {
    if (write.before) await write.before(tx);
    // The room's own sequence counts up from 1 once it is joined, and its outliers count down from -1.
    const roomSeq = write.roomKnown ? await stores.rooms.advanceSeq(tx, write.roomId, 1) : OUT_OF_BAND_SEQ_BASE + write.position;
    await stores.events.insertMany(tx, [
      {
        roomId: write.roomId,
        streamPos: write.position,
        roomSeq,
        pdu: write.pdu,
        unsigned: write.unsigned,
        senderDevice: null,
        txnId: null,
        stateGroupBefore: null,
        stateGroupAfter: null,
        outlier: true,
      },
    ]);
  });
}
