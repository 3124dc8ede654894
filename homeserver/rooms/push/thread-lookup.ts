import type { EventsStore } from "../../storage/stores/events-store.js";
import type { ThreadLookup } from "./push-evaluator.js";

/** The thread of an event we hold: the root its m.thread relation names, if it has one. */
export function threadLookup(events: Pick<EventsStore, "get">): ThreadLookup {
  return {
    threadOf: async (eventId) => {
      const parent = await events.get(eventId);
      const relation = parent?.pdu.content["m.relates_to"];
      if (typeof relation !== "object" || relation === null || Array.isArray(relation)) return undefined;
      const { rel_type: relType, event_id: root } = relation as Record<string, unknown>;
      return relType === "m.thread" && typeof root === "string" ? root : undefined;
    },
  };
}
