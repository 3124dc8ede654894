import type { RoomEventFilter } from "../../core/filters.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { RelationsStore } from "../../storage/stores/relations-store.js";

/**
 * The RoomEventFilter's related_by_rel_types and related_by_senders: only events that some live (unredacted) event
 * relates to, with one of those rel_types and from one of those senders. One query per page, and none when the
 * filter names neither.
 */
export class RelatedByFilter {
  constructor(private readonly relations: RelationsStore) {}

  async keep(roomId: string, events: StoredEvent[], filter: RoomEventFilter): Promise<StoredEvent[]> {
    if (!narrowsByRelations(filter) || events.length === 0) return events;
    const related = await this.relations.withChildren(
      roomId,
      events.map((e) => e.pdu.event_id),
      filter.related_by_rel_types,
      filter.related_by_senders,
    );
    return events.filter((e) => related.has(e.pdu.event_id));
  }
}

export function narrowsByRelations(filter: RoomEventFilter): boolean {
  return filter.related_by_rel_types !== undefined || filter.related_by_senders !== undefined;
}
