import { encodeUnpaddedBase64 } from "../crypto/base64.js";
import { computeReferenceHash } from "../crypto/event-hashes.js";
import type { EventReference, IdentifiedPdu } from "../events/pdu.js";
import { redactEvent } from "../events/redaction.js";
import type { RoomVersion } from "../events/room-versions.js";

/**
 * How an event cites another in `prev_events` / `auth_events`: room versions 1 and 2 use
 * `[event_id, {sha256: reference hash}]` pairs (their event ids are not hashes, so the hash travels
 * alongside), later versions the bare id, which is the hash.
 */
export function eventReference(pdu: IdentifiedPdu, version: RoomVersion): EventReference {
  if (version.eventIdFormat !== "server-generated") return pdu.event_id;
  // The v1/v2 reference hash covers the redacted event, event_id included (it is a field of these events).
  const hash = computeReferenceHash(redactEvent(pdu, version) as Record<string, unknown>);
  return [pdu.event_id, { sha256: encodeUnpaddedBase64(hash) }];
}

/** References to `ids` in the room version's format; an id whose event is not in `events` is left out. */
export function eventReferences(ids: readonly string[], events: ReadonlyMap<string, IdentifiedPdu>, version: RoomVersion): EventReference[] {
  const refs: EventReference[] = [];
  for (const id of ids) {
    const pdu = events.get(id);
    if (pdu) refs.push(eventReference(pdu, version));
  }
  return refs;
}
