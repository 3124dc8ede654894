import type { IdentifiedPdu } from "../../events/pdu.js";
import { redactEvent } from "../../events/redaction.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { OrderedPublisher } from "../../streams/ordered-publisher.js";
import type { RoomMemory } from "./room-memory.js";

/** What a batch changes in the room's memory once it commits. */
export interface MemoryChange {
  /** State events by key: laid over the current state, or (`replace`) the whole new current state. */
  state: ReadonlyMap<string, IdentifiedPdu>;
  replace: boolean;
  extremities: string[];
  maxDepth: number;
  stateGroup: number | null;
}

/** A room's new events, as the notifier hands them to waiting readers and their caches. */
export interface EventsNotice {
  rooms: string[];
  /** Users whose membership changed: their room lists move. */
  users: string[];
  /** The stored rows, when they tell readers everything (no redaction changed an older event meanwhile). */
  events?: readonly StoredEvent[];
}

/** Wakes readers of the events stream at `position` (the notifier's onNew for "events"). */
export type NotifyEvents = (position: number, notice: EventsNotice) => void;

/**
 * Work that follows every committed batch of a room's timeline events, local or remote, once readers can
 * see them (pushers will hook in here). Push rules are evaluated before the write instead (push-evaluator.ts):
 * the spec wants an event's notification count in the same /sync response as the event.
 */
export interface AfterPersist {
  eventsPersisted(roomId: string, rows: readonly StoredEvent[]): void;
}

export function applyToMemory(memory: RoomMemory, change: MemoryChange | undefined, redacted: readonly string[]): void {
  if (change) {
    if (change.replace) memory.replaceState(change.state);
    else for (const [key, pdu] of change.state) memory.setState(key, pdu);
    memory.extremities = change.extremities;
    memory.maxDepth = change.maxDepth;
    memory.stateGroup = change.stateGroup;
  }
  if (redacted.length === 0) return;
  // A redacted state event counts in its redacted form from now on (auth, stripped state, the directory).
  const ids = new Set(redacted);
  for (const [key, pdu] of memory.state) {
    if (ids.has(pdu.event_id)) memory.setState(key, { ...(redactEvent(pdu, memory.version) as IdentifiedPdu), event_id: pdu.event_id });
  }
}

/**
 * Releases a batch's live positions, committed or not (an abandoned position must not hold readers back).
 * The wake-up goes with the last position, when readers can see every one of them: waking them earlier
 * would let them read before the change is visible, and nobody would wake them again.
 */
export function publishPositions(publisher: OrderedPublisher, positions: readonly number[], wake: (() => void) | undefined): void {
  const last = positions[positions.length - 1];
  for (const position of positions) publisher.finish(position, position === last ? wake : undefined);
}
