import { referenceIds, type IdentifiedPdu } from "../../events/pdu.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { EventSource } from "../../state/index.js";

/**
 * Loads the events state resolution needs (the state sets' events and their whole auth chains) into a
 * synchronous source, one database round trip per level of the auth DAG.
 */
export async function loadEventSource(events: EventsStore, startIds: Iterable<string>, extra: IdentifiedPdu[] = []): Promise<EventSource> {
  const loaded = new Map<string, IdentifiedPdu>();
  const rejected = new Set<string>();
  for (const pdu of extra) loaded.set(pdu.event_id, pdu);
  let frontier = [...new Set(startIds)].filter((id) => !loaded.has(id));
  for (const pdu of extra) frontier.push(...referenceIds(pdu.auth_events).filter((id) => !loaded.has(id)));
  while (frontier.length > 0) {
    const found = await events.getMany(frontier);
    const next = new Set<string>();
    for (const [id, stored] of found) {
      loaded.set(id, stored.pdu);
      for (const authId of referenceIds(stored.pdu.auth_events)) if (!loaded.has(authId) && !found.has(authId)) next.add(authId);
    }
    frontier = [...next];
  }
  const status = await events.knownStatus([...loaded.keys()]);
  for (const [id, s] of status) if (s.rejected) rejected.add(id);
  return { get: (id) => loaded.get(id), isRejected: (id) => rejected.has(id) };
}
