import type { IdentifiedPdu } from "../../events/pdu.js";

export interface Relation {
  relType: string;
  eventId: string;
}

/**
 * The event's relationship to a parent (the spec's m.relates_to, in the cleartext content): both rel_type and
 * event_id must be strings, otherwise the event relates to nothing (a reply's m.in_reply_to alone is no relation).
 * The same rule as the database's event_relation_part(), which the relation indexes use.
 */
export function relationOf(pdu: Pick<IdentifiedPdu, "content">): Relation | undefined {
  const relatesTo = (pdu.content as Record<string, unknown> | undefined)?.["m.relates_to"];
  if (typeof relatesTo !== "object" || relatesTo === null || Array.isArray(relatesTo)) return undefined;
  const { rel_type: relType, event_id: eventId } = relatesTo as Record<string, unknown>;
  return typeof relType === "string" && typeof eventId === "string" ? { relType, eventId } : undefined;
}
