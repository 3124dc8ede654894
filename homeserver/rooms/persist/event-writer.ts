import type { Database, Tx } from "../../storage/database.js";
import type { OrderedPublisher } from "../../streams/ordered-publisher.js";
import type { AcceptedEvent, RoomAfter } from "./accepted-event.js";
import { applyToMemory, publishPositions, type AfterPersist, type NotifyEvents } from "./after-commit.js";
import { assignPositions } from "./assign-positions.js";
import type { OutsidePositions } from "./outside-positions.js";
import type { RoomMemory } from "./room-memory.js";
import type { PushActionsOf } from "../push/push-evaluator.js";
import { NO_PUSH_OUTCOMES, type PushOutcomes } from "../../storage/stores/push-actions-store.js";
import { writeBatch, writeOutOfBand, type OutOfBandMembership, type WriteStores, type WrittenBatch } from "./write-batch.js";

export interface EventWriterDeps {
  database: Database;
  stores: WriteStores;
  /** The events stream's positions: allocated here, published once committed in order. */
  publisher: OrderedPublisher;
  outside: OutsidePositions;
  notify: NotifyEvents;
  clock: { now(): number };
  /** Who the events notify (push rules), written in the batch's transaction. */
  pushActions?: PushActionsOf;
  after?: readonly AfterPersist[];
}

export interface EventsToWrite {
  memory: RoomMemory;
  events: readonly AcceptedEvent[];
  roomAfter?: RoomAfter;
  before?: (tx: Tx) => Promise<void>;
}

/**
 * The write every accepted event goes through, local or remote, called from inside the room's persist queue:
 * positions, the one transaction, then (once committed) the room's memory, publishing, the readers' wake-up
 * with the written rows, and the after-persist hooks. Returns each event's stream position.
 */
export class EventWriter {
  constructor(private readonly deps: EventWriterDeps) {}

  async write({ memory, events, roomAfter, before }: EventsToWrite): Promise<number[]> {
    if (events.length === 0) return [];
    const { database, stores, publisher, outside, clock } = this.deps;
    const positions = await assignPositions(publisher, outside, events);
    const live = positions.filter((_, i) => events[i].placement.kind === "timeline");
    let written: WrittenBatch | undefined;
    try {
      const now = clock.now();
      const push = await this.pushOutcomesOf(memory, events, positions, now);
      written = await writeBatch(database, stores, { memory, events, positions, roomAfter, before, now, push });
      applyToMemory(memory, written.memory, written.redacted);
    } finally {
      publishPositions(publisher, live, written && live.length > 0 ? this.wake(memory.roomId, live[live.length - 1], written) : undefined);
    }
    return positions;
  }

  /**
   * A failure to evaluate push rules costs the batch its notifications, never the write itself: the events are
   * what the senders were promised.
   */
  private async pushOutcomesOf(memory: RoomMemory, events: readonly AcceptedEvent[], positions: readonly number[], now: number): Promise<PushOutcomes> {
    if (!this.deps.pushActions) return NO_PUSH_OUTCOMES;
    try {
      return await this.deps.pushActions(memory, events, positions, now);
    } catch (error) {
      console.error("push rule evaluation failed; the batch is written without notifications", error);
      return NO_PUSH_OUTCOMES;
    }
  }

  /** An out-of-band membership (rooms/remote/receive-invite.ts), at the next live position; call it from the room's queue. */
  async writeOutOfBand(membership: Omit<OutOfBandMembership, "position">): Promise<number> {
    const { database, stores, publisher, notify } = this.deps;
    const position = publisher.allocate();
    let committed = false;
    try {
      await writeOutOfBand(database, stores, { ...membership, position });
      committed = true;
    } finally {
      // No rows for the readers' caches: the row is no part of the room's timeline as a read returns it.
      const users = membership.pdu.state_key ? [membership.pdu.state_key] : [];
      publishPositions(publisher, [position], committed ? () => notify(position, { rooms: [membership.roomId], users }) : undefined);
    }
    return position;
  }

  private wake(roomId: string, position: number, { rows, rowsCurrent }: WrittenBatch): () => void {
    return () => {
      const users = rows.filter((r) => r.pdu.type === "m.room.member" && r.pdu.state_key).map((r) => r.pdu.state_key!);
      this.deps.notify(position, { rooms: [roomId], users, events: rowsCurrent ? rows : undefined });
      for (const hook of this.deps.after ?? []) {
        try {
          hook.eventsPersisted(roomId, rows);
        } catch (error) {
          // It runs while positions are published: a failing hook must not stop readers from seeing them.
          console.error("after-persist hook failed", error);
        }
      }
    };
  }
}
