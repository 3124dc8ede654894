import type { StoredEvent } from "../../storage/stores/events-store.js";
import { roomIdOf } from "../../rooms/timeline-reads.js";
import { MAIN_TIMELINE } from "./receipt-types.js";

/** Relations are followed this far up; deeper chains are treated as reaching nothing. */
const MAX_HOPS = 10;

export interface EventLookup {
  get(eventId: string): Promise<StoredEvent | undefined>;
}

function relationOf(event: StoredEvent): { relType: unknown; eventId: string } | undefined {
  const relatesTo = event.pdu.content?.["m.relates_to"];
  if (typeof relatesTo !== "object" || relatesTo === null) return undefined;
  const { rel_type: relType, event_id: eventId } = relatesTo as Record<string, unknown>;
  return typeof eventId === "string" ? { relType, eventId } : undefined;
}

/**
 * Whether a receipt for `threadId` may point at `event` (the spec's 400 "event_id is not related to the
 * thread_id"), as Synapse decides it: walking up the event's relations (any rel_type), the thread is the
 * first m.thread relation met, or else the topmost event reached. So the main timeline takes events in no
 * thread (a thread root included), and a thread takes its root, its events, and events related to either
 * (reactions, edits, references).
 */
export async function isEventInThread(events: EventLookup, event: StoredEvent, threadId: string): Promise<boolean> {
  let current = event;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (threadId !== MAIN_TIMELINE && current.pdu.event_id === threadId) return true;
    const relation = relationOf(current);
    if (!relation) return threadId === MAIN_TIMELINE;
    if (relation.relType === "m.thread") return relation.eventId === threadId;
    const parent = await events.get(relation.eventId);
    if (!parent || roomIdOf(parent) !== roomIdOf(current)) return threadId === MAIN_TIMELINE;
    current = parent;
  }
  return threadId === MAIN_TIMELINE;
}
