import type { CoreContext } from "../app/core-context.js";
import { stateKeyOf, type IdentifiedPdu } from "../events/pdu.js";
import type { Tx } from "../storage/database.js";
import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import type { RoomsStore } from "../storage/stores/rooms-store.js";
import type { StateStore, StateMap } from "../storage/stores/state-store.js";
import type { TxnStore } from "../storage/stores/txn-store.js";
import type { MessageAppendStore } from "../storage/stores/message-append-store.js";
import type { RoomMemory } from "./room-memory.js";
import type { TxnRef } from "./txn-id-memory.js";

/** The transaction id a send carries, when it has all of device, txnId and scope. */
export function txnRefOf(sender: string, options: PersistOptions): TxnRef | undefined {
  const { senderDevice, txnId, txnScope } = options;
  return senderDevice && txnId && txnScope ? { userId: sender, deviceId: senderDevice, scope: txnScope, txnId } : undefined;
}

export interface PersistOptions {
  senderDevice?: string;
  txnId?: string;
  /** The endpoint the txnId was sent to (txn-scopes.ts); a txnId is only remembered with its scope. */
  txnScope?: string;
  /** Runs after the event is built and authorised, before it is written (e.g. a remote countersignature). */
  beforeWrite?: (pdu: IdentifiedPdu) => Promise<IdentifiedPdu>;
}

/** One event ready to be written: built, signed and authorised against the state it follows. */
export interface AcceptedEvent {
  pdu: IdentifiedPdu;
  options: PersistOptions;
  /** The state event it replaces, for unsigned.prev_content. */
  replaced?: IdentifiedPdu;
  /** The event a redaction takes effect on, when the sender may redact it. */
  redactionTarget?: string;
}

export interface BatchStores {
  events: EventsStore;
  rooms: RoomsStore;
  state: StateStore;
  txns: TxnStore;
  messages: MessageAppendStore;
}

/**
 * Writes a batch of one room's events in a single transaction (group commit): under load the per-room queue
 * holds many sends, and one transaction for all of them costs about what one costs for a single event.
 * Returns the stream position of each event; memory is updated only when the transaction commits.
 */
export async function writeBatch(
  core: CoreContext,
  stores: BatchStores,
  memory: RoomMemory,
  batch: AcceptedEvent[],
  before?: (tx: Tx) => Promise<void>,
): Promise<number[]> {
  const roomId = memory.roomId;
  const publisher = core.streams.events;
  const positions = batch.map(() => publisher.allocate());
  let committed = false;
  /** The stored rows of a messages-only batch, handed to readers' caches with the wake-up. */
  let written: StoredEvent[] | undefined;
  const txnIds = batch.flatMap(({ pdu, options }) => {
    const ref = txnRefOf(pdu.sender, options);
    return ref ? [{ user_id: ref.userId, device_id: ref.deviceId, scope: ref.scope, txn_id: ref.txnId, event_id: pdu.event_id, room_id: roomId, created_ts: core.clock.now() }] : [];
  });
  const last = batch[batch.length - 1].pdu;
  const afterCommit = (stateAfter: Map<string, IdentifiedPdu>, group: number | null) => {
    committed = true;
    for (const [key, pdu] of stateAfter) memory.setState(key, pdu);
    memory.extremities = [last.event_id];
    memory.maxDepth = Math.max(memory.maxDepth, ...batch.map((b) => b.pdu.depth));
    memory.stateGroup = group;
  };
  // Messages only (the common case in a busy room): nothing touches state, so one statement will do.
  const messagesOnly = !before && batch.every((b) => typeof b.pdu.state_key !== "string" && !b.redactionTarget);
  try {
    if (messagesOnly) {
      const messages = batch.map(({ pdu, options }, i) => ({ streamPos: positions[i], pdu, senderDevice: options.senderDevice ?? null, txnId: options.txnId ?? null }));
      const group = memory.stateGroup;
      const { firstRoomSeq } = await stores.messages.append(roomId, group, messages, txnIds, { remove: memory.extremities, add: last.event_id });
      written = messages.map(({ streamPos, pdu, senderDevice, txnId }, i) => ({
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
      afterCommit(new Map(), group);
      return positions;
    }
    await core.database.transaction(async (tx) => {
      if (before) await before(tx);
      const lastSeq = await stores.rooms.advanceSeq(tx, roomId, batch.length);
      const firstSeq = lastSeq - batch.length + 1;
      let group = memory.stateGroup;
      const stateAfter = new Map<string, IdentifiedPdu>();
      const groups: Array<{ before: number | null; after: number | null }> = [];
      for (const { pdu } of batch) {
        const groupBefore = group;
        if (typeof pdu.state_key === "string") {
          const key = stateKeyOf(pdu.type, pdu.state_key);
          stateAfter.set(key, pdu);
          group = await stores.state.createGroup(tx, roomId, groupBefore, new Map([[key, pdu.event_id]]), async () => {
            const full: StateMap = new Map([...memory.state].map(([k, e]) => [k, e.event_id]));
            for (const [k, e] of stateAfter) full.set(k, e.event_id);
            return full;
          });
        }
        groups.push({ before: groupBefore, after: group });
      }
      await stores.events.insertMany(
        tx,
        batch.map(({ pdu, options, replaced }, i) => ({
          roomId,
          streamPos: positions[i],
          roomSeq: firstSeq + i,
          pdu,
          unsigned: replaced ? { replaces_state: replaced.event_id, prev_content: replaced.content, prev_sender: replaced.sender } : null,
          senderDevice: options.senderDevice ?? null,
          txnId: options.txnId ?? null,
          stateGroupBefore: groups[i].before,
          stateGroupAfter: groups[i].after,
        })),
        txnIds,
      );
      for (const [i, { pdu }] of batch.entries()) {
        if (typeof pdu.state_key !== "string") continue;
        await stores.rooms.setCurrentState(tx, roomId, {
          type: pdu.type,
          stateKey: pdu.state_key,
          eventId: pdu.event_id,
          membership: pdu.type === "m.room.member" ? String(pdu.content.membership) : null,
          streamPos: positions[i],
        });
      }
      await stores.rooms.replaceForwardExtremities(tx, roomId, memory.extremities, last.event_id);
      for (const { pdu, redactionTarget } of batch) {
        if (redactionTarget) await stores.events.markRedacted(tx, redactionTarget, pdu.event_id);
      }
      core.database.onCommit(tx, () => afterCommit(stateAfter, group));
    });
  } finally {
    const users = batch.filter((b) => b.pdu.type === "m.room.member" && b.pdu.state_key).map((b) => b.pdu.state_key!);
    const lastPos = positions[positions.length - 1];
    positions.forEach((pos) => {
      // One wake-up per batch, sent when its last position becomes visible to readers.
      const notify = committed && pos === lastPos ? () => core.notifier.onNew("events", lastPos, { rooms: [roomId], users, events: written }) : undefined;
      publisher.finish(pos, notify);
    });
  }
  return positions;
}
