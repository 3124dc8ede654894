import type { IdentifiedPdu, JsonObject } from "../events/pdu.js";
import { redactEvent } from "../events/redaction.js";
import type { RoomVersion } from "../events/room-versions.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { ClientEventJson } from "../../schemas/client/room-reads/client-event.js";

/** The client-server event format (ClientEvent in the spec); the wire type lives in schemas/. */
export type ClientEvent = ClientEventJson & { content: JsonObject };

export interface Viewer {
  userId: string;
  deviceId?: string;
}

/**
 * Formats a stored event for a client: age and prev_content in unsigned, transaction_id for the device that
 * sent it, and the redacted form (with redacted_because) once it has been redacted.
 * `redactions` supplies the redaction events by id, fetched by the caller in one batch.
 */
export function toClientEvent(
  stored: StoredEvent,
  version: RoomVersion,
  now: number,
  viewer?: Viewer,
  redactions?: Map<string, StoredEvent>,
): ClientEvent {
  let pdu: IdentifiedPdu = stored.pdu;
  const unsigned: Record<string, unknown> = { age: Math.max(0, now - pdu.origin_server_ts) };
  if (stored.unsigned) Object.assign(unsigned, stored.unsigned);
  if (stored.redactedBy) {
    pdu = { ...(redactEvent(pdu, version) as IdentifiedPdu), event_id: pdu.event_id };
    delete unsigned.prev_content;
    const redaction = redactions?.get(stored.redactedBy);
    if (redaction) unsigned.redacted_because = toClientEvent(redaction, version, now);
  }
  if (viewer && stored.txnId && stored.senderDevice === viewer.deviceId && pdu.sender === viewer.userId) {
    unsigned.transaction_id = stored.txnId;
  }
  const event: ClientEvent = {
    content: pdu.content,
    event_id: pdu.event_id,
    origin_server_ts: pdu.origin_server_ts,
    room_id: pdu.room_id ?? `!${pdu.event_id.slice(1)}`,
    sender: pdu.sender,
    type: pdu.type,
    unsigned,
  };
  if (typeof pdu.state_key === "string") event.state_key = pdu.state_key;
  // Clients still read top-level `redacts`; v11 moved it into content, so we show it in both places.
  const redacts = typeof pdu.redacts === "string" ? pdu.redacts : (pdu.content.redacts as string | undefined);
  if (pdu.type === "m.room.redaction" && typeof redacts === "string") event.redacts = redacts;
  return event;
}

/** Redaction events referenced by `events`, so a batch can be formatted with one extra read. */
export function redactionIdsOf(events: StoredEvent[]): string[] {
  return events.map((e) => e.redactedBy).filter((id): id is string => id !== null);
}
