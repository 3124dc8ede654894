import type { RoomVersion } from "../events/room-versions.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { EventsStore } from "../storage/stores/events-store.js";
import { redactionIdsOf, toClientEvent, type ClientEvent, type Viewer as ClientViewer } from "./client-event.js";

/**
 * The spec's bundled aggregations (unsigned["m.relations"]) of a batch of events one client reads, looked up for
 * the whole batch at once (rooms/relations/bundled-aggregations.ts).
 */
export interface AggregationSource {
  bundle(events: readonly StoredEvent[], version: RoomVersion, now: number, viewer: ClientViewer): Promise<ReadonlyMap<string, Record<string, unknown>>>;
}

/**
 * Formats a batch of stored events for one client, fetching the redaction events they refer to in one read.
 * `memberships` (from the visibility filter) becomes unsigned.membership, the viewer's membership at each event;
 * `aggregations`, when given, adds each event's bundled aggregations as unsigned["m.relations"].
 */
export async function formatEvents(
  events: EventsStore,
  stored: readonly StoredEvent[],
  version: RoomVersion,
  now: number,
  viewer?: ClientViewer,
  memberships?: ReadonlyMap<string, string>,
  aggregations?: AggregationSource,
): Promise<ClientEvent[]> {
  const redactionIds = redactionIdsOf([...stored]);
  const [redactions, bundles] = await Promise.all([
    redactionIds.length > 0 ? events.getMany(redactionIds) : undefined,
    aggregations && viewer && stored.length > 0 ? aggregations.bundle(stored, version, now, viewer) : undefined,
  ]);
  return stored.map((e) => {
    const event = toClientEvent(e, version, now, viewer, redactions);
    const membership = memberships?.get(e.pdu.event_id);
    if (membership !== undefined) event.unsigned = { ...event.unsigned, membership };
    const relations = bundles?.get(e.pdu.event_id);
    if (relations !== undefined) event.unsigned = { ...event.unsigned, "m.relations": relations };
    return event;
  });
}

/** Stripped state (invites, knocks): type, state_key, sender and content only. */
export interface StrippedStateEvent {
  type: string;
  state_key: string;
  sender: string;
  content: Record<string, unknown>;
}

export function strippedState(stored: StoredEvent): StrippedStateEvent {
  return {
    type: stored.pdu.type,
    state_key: stored.pdu.state_key ?? "",
    sender: stored.pdu.sender,
    content: stored.pdu.content,
  };
}
