import type { CurrentStateReadsStore } from "../storage/stores/current-state-reads-store.js";
import type { RoomStateReader } from "../rooms/room-state-reader.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { RoomSummaryJson } from "../../schemas/client/sync/get-sync.js";

const HEROES = 5;
/** Event types whose change can change the summary (counts, heroes, or whether heroes are needed). */
const SUMMARY_TYPES = new Set(["m.room.member", "m.room.name", "m.room.canonical_alias"]);

export function affectsSummary(events: Iterable<StoredEvent>): boolean {
  for (const event of events) if (SUMMARY_TYPES.has(event.pdu.type) && typeof event.pdu.state_key === "string") return true;
  return false;
}

/**
 * m.joined_member_count, m.invited_member_count and, when the room has neither a name nor a canonical
 * alias, m.heroes. Read from the current state with counting queries, never by loading the member list;
 * the caller only asks when something that affects the summary is in the response (the spec lets an
 * unchanged summary be omitted).
 */
export async function roomSummary(current: CurrentStateReadsStore, reader: RoomStateReader, roomId: string, userId: string): Promise<RoomSummaryJson> {
  const counts = await current.memberCounts(roomId);
  const summary: RoomSummaryJson = { "m.joined_member_count": counts.joined, "m.invited_member_count": counts.invited };
  const [nameId, aliasId] = await Promise.all([current.eventId(roomId, "m.room.name", ""), current.eventId(roomId, "m.room.canonical_alias", "")]);
  const named = await reader.eventsInOrder([nameId, aliasId].filter((id): id is string => id !== undefined));
  const hasName = named.some((e) => !e.redactedBy && (nonEmpty(e.pdu.content.name) || nonEmpty(e.pdu.content.alias)));
  if (!hasName) summary["m.heroes"] = await current.heroes(roomId, userId, HEROES);
  return summary;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}
