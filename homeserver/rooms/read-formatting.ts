import type { RoomVersion } from "../events/room-versions.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { EventsStore } from "../storage/stores/events-store.js";
import { redactionIdsOf, toClientEvent, type ClientEvent, type Viewer as ClientViewer } from "./client-event.js";

/**
 * Formats a batch of stored events for one client, fetching the redaction events they refer to in one read.
 * `memberships` (from the visibility filter) becomes unsigned.membership, the viewer's membership at each event.
 */
export async function formatEvents(
  events: EventsStore,
  stored: readonly StoredEvent[],
  version: RoomVersion,
  now: number,
  viewer?: ClientViewer,
  memberships?: ReadonlyMap<string, string>,
): Promise<ClientEvent[]> {
  const redactionIds = redactionIdsOf([...stored]);
  const redactions = redactionIds.length > 0 ? await events.getMany(redactionIds) : undefined;
  return stored.map((e) => {
    const event = toClientEvent(e, version, now, viewer, redactions);
    const membership = memberships?.get(e.pdu.event_id);
    if (membership !== undefined) event.unsigned = { ...event.unsigned, membership };
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
