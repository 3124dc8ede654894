import { canonicalJson } from "../crypto/canonical-json.js";
import type { JsonObject } from "../events/pdu.js";
import type { RoomMemory } from "./persist/room-memory.js";

/**
 * The current state event a state send would only repeat (same type, state key, sender and content), as
 * Synapse deduplicates them: a client that sets the same topic twice, or re-sends its state after a
 * restart, gets the event it already made instead of filling the timeline with copies.
 */
export function unchangedStateEventId(memory: RoomMemory, type: string, stateKey: string, sender: string, content: JsonObject): string | undefined {
  const current = memory.stateEvent(type, stateKey);
  if (!current || current.sender !== sender) return undefined;
  return canonicalJson(current.content) === canonicalJson(content) ? current.event_id : undefined;
}
