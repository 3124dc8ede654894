import type { IdentifiedPdu, JsonObject, JsonValue } from "../../events/pdu.js";
import type { SpaceChildState } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import type { RoomMemory } from "../persist/room-memory.js";

const SPACE_CHILD = "m.space.child";
/** The spec's `order`: at most 50 characters from U+0020 to U+007E; any other value counts as no order. */
const VALID_ORDER = /^[\x20-\x7E]{0,50}$/;

/** A child link counts only while its `via` is a non-empty list of server names (a removed child has none). */
export function viaOf(content: JsonObject): string[] | undefined {
  const via: JsonValue | undefined = content.via;
  if (!Array.isArray(via) || via.length === 0 || !via.every((v) => typeof v === "string")) return undefined;
  return via as string[];
}

function orderOf(child: SpaceChildState): string | undefined {
  const order = child.content.order;
  return typeof order === "string" && VALID_ORDER.test(order) ? order : undefined;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The spec's ordering of a space's children: those with a valid `order` first, by it; then by the child
 * event's origin_server_ts; ties by room id. `order` is printable ASCII, so UTF-16 order is code point order.
 */
export function compareChildren(a: SpaceChildState, b: SpaceChildState): number {
  const orderA = orderOf(a);
  const orderB = orderOf(b);
  if (orderA !== undefined && orderB === undefined) return -1;
  if (orderA === undefined && orderB !== undefined) return 1;
  if (orderA !== undefined && orderB !== undefined && orderA !== orderB) return compareStrings(orderA, orderB);
  if (a.origin_server_ts !== b.origin_server_ts) return a.origin_server_ts - b.origin_server_ts;
  return compareStrings(a.state_key, b.state_key);
}

export function isSuggested(child: SpaceChildState): boolean {
  return child.content.suggested === true;
}

function stripped(event: IdentifiedPdu): SpaceChildState {
  return { type: SPACE_CHILD, state_key: event.state_key!, content: event.content, sender: event.sender, origin_server_ts: event.origin_server_ts };
}

/** A room's valid m.space.child events, stripped and in the spec's order; only the suggested ones when asked. */
export function spaceChildren(memory: RoomMemory, suggestedOnly: boolean): SpaceChildState[] {
  const children: SpaceChildState[] = [];
  for (const [key, event] of memory.state) {
    if (!key.startsWith(`${SPACE_CHILD}\u0000`) || !viaOf(event.content)) continue;
    const child = stripped(event);
    if (!suggestedOnly || isSuggested(child)) children.push(child);
  }
  return children.sort(compareChildren);
}
