import type { CoreContext } from "../../app/core-context.js";
import { stateKeyOf, type IdentifiedPdu, type StateLookup } from "../../events/pdu.js";
import type { StateMap } from "../../storage/stores/state-store.js";
import { splitKey } from "../../storage/stores/state-store.js";
import type { BatchStores } from "../persist-batch.js";
import type { RoomMemory } from "../room-memory.js";
import type { OutlierPositions } from "./outlier-positions.js";
import { RemoteRedactions } from "./remote-redactions.js";

export type RemotePlacement =
  | {
      kind: "timeline";
      /** The state before the event, and the stored group holding it when one already does. */
      stateBefore: StateMap;
      stateBeforeGroup: number | null;
      /** The room's state and forward extremities once this event is added. */
      currentState: Map<string, IdentifiedPdu>;
      extremities: string[];
      /** For an m.room.redaction: the state it was authorised against, which says whether it may apply. */
      redactionAuthState?: StateLookup;
    }
  | { kind: "outlier" }
  | { kind: "soft-failed"; stateBeforeGroup: number | null }
  | { kind: "rejected"; reason: string };

/**
 * Stores one event from another server. Timeline events take the next live stream position and update
 * current state and forward extremities; outliers, soft-failed and rejected events take negative positions
 * so they are held (and never fetched again) without reaching clients.
 */
export async function writeRemoteEvent(
  core: CoreContext,
  stores: BatchStores,
  outliers: OutlierPositions,
  memory: RoomMemory,
  pdu: IdentifiedPdu,
  placement: RemotePlacement,
): Promise<number> {
  const roomId = memory.roomId;
  if (placement.kind !== "timeline") {
    const position = await outliers.allocate();
    await core.database.transaction(async (tx) => {
      await stores.events.insertMany(tx, [
        {
          roomId,
          streamPos: position,
          roomSeq: position,
          pdu,
          unsigned: null,
          senderDevice: null,
          txnId: null,
          stateGroupBefore: placement.kind === "soft-failed" ? placement.stateBeforeGroup : null,
          stateGroupAfter: null,
          outlier: placement.kind !== "soft-failed",
          softFailed: placement.kind === "soft-failed",
          rejectedReason: placement.kind === "rejected" ? placement.reason : null,
        },
      ]);
      // A redaction may have come before this event; a soft-failed or rejected redaction itself never applies.
      if (placement.kind !== "rejected") await new RemoteRedactions(stores.events).targetsWritten(tx, memory, [pdu]);
    });
    return position;
  }

  const publisher = core.streams.events;
  const position = publisher.allocate();
  let committed = false;
  try {
    await core.database.transaction(async (tx) => {
      const roomSeq = await stores.rooms.advanceSeq(tx, roomId, 1);
      const groupBefore =
        placement.stateBeforeGroup ?? (await stores.state.createGroup(tx, roomId, null, placement.stateBefore, async () => placement.stateBefore));
      let groupAfter = groupBefore;
      const isState = typeof pdu.state_key === "string";
      if (isState) {
        const key = stateKeyOf(pdu.type, pdu.state_key!);
        groupAfter = await stores.state.createGroup(tx, roomId, groupBefore, new Map([[key, pdu.event_id]]), async () => {
          const full = new Map(placement.stateBefore);
          full.set(key, pdu.event_id);
          return full;
        });
      }
      const replacedId = isState ? placement.stateBefore.get(stateKeyOf(pdu.type, pdu.state_key!)) : undefined;
      const replaced = replacedId ? memory.state.get(stateKeyOf(pdu.type, pdu.state_key!)) : undefined;
      await stores.events.insertMany(tx, [
        {
          roomId,
          streamPos: position,
          roomSeq,
          pdu,
          unsigned: replaced && replaced.event_id === replacedId ? { replaces_state: replacedId, prev_content: replaced.content, prev_sender: replaced.sender } : null,
          senderDevice: null,
          txnId: null,
          stateGroupBefore: groupBefore,
          stateGroupAfter: groupAfter,
        },
      ]);
      const redactions = new RemoteRedactions(stores.events);
      await redactions.redactionWritten(tx, memory, pdu, placement.redactionAuthState);
      await redactions.targetsWritten(tx, memory, [pdu]);
      // Current state: write exactly what changed.
      for (const [key, event] of placement.currentState) {
        if (memory.state.get(key)?.event_id === event.event_id) continue;
        const [type, stateKey] = splitKey(key);
        await stores.rooms.setCurrentState(tx, roomId, {
          type,
          stateKey,
          eventId: event.event_id,
          membership: type === "m.room.member" ? String(event.content.membership) : null,
          streamPos: position,
        });
      }
      for (const key of memory.state.keys()) {
        if (!placement.currentState.has(key)) await stores.rooms.deleteCurrentState(tx, roomId, ...splitKey(key));
      }
      await stores.rooms.setForwardExtremities(tx, roomId, placement.extremities);
      // The next local event's "state before" is the current state; give it a group unless it is ours.
      const single = placement.extremities.length === 1 && placement.extremities[0] === pdu.event_id;
      const currentGroup = single
        ? groupAfter
        : await stores.state.createGroup(tx, roomId, null, new Map(), async () => new Map([...placement.currentState].map(([k, e]) => [k, e.event_id])));
      core.database.onCommit(tx, () => {
        committed = true;
        memory.replaceState(placement.currentState);
        memory.extremities = placement.extremities;
        memory.maxDepth = Math.max(memory.maxDepth, pdu.depth);
        memory.stateGroup = currentGroup;
      });
    });
  } finally {
    const users = pdu.type === "m.room.member" && pdu.state_key ? [pdu.state_key] : [];
    publisher.finish(position, committed ? () => core.notifier.onNew("events", position, { rooms: [roomId], users }) : undefined);
  }
  return position;
}

/** Many outliers (and rejected events) in one transaction, as a remote join's state and auth chain arrive. */
export async function writeOutliers(
  core: CoreContext,
  stores: BatchStores,
  outliers: OutlierPositions,
  memory: RoomMemory,
  events: Array<{ pdu: IdentifiedPdu; rejectedReason?: string }>,
): Promise<void> {
  if (events.length === 0) return;
  const roomId = memory.roomId;
  const positions: number[] = [];
  for (let i = 0; i < events.length; i++) positions.push(await outliers.allocate());
  await core.database.transaction(async (tx) => {
    for (let i = 0; i < events.length; i += 500) {
      await stores.events.insertMany(
        tx,
        events.slice(i, i + 500).map(({ pdu, rejectedReason }, j) => ({
          roomId,
          streamPos: positions[i + j],
          roomSeq: positions[i + j],
          pdu,
          unsigned: null,
          senderDevice: null,
          txnId: null,
          stateGroupBefore: null,
          stateGroupAfter: null,
          outlier: true,
          rejectedReason: rejectedReason ?? null,
        })),
      );
    }
    await new RemoteRedactions(stores.events).targetsWritten(tx, memory, events.filter((e) => !e.rejectedReason).map((e) => e.pdu));
  });
}
