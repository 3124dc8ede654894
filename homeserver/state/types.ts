import { stateKeyOf, type IdentifiedPdu } from "../events/pdu.js";

/**
 * Synchronous access to the events state resolution may touch: the events of the state sets and
 * their whole auth chains. The caller preloads them, so the algorithm never waits on I/O and a
 * large resolution stays a tight CPU loop.
 */
export interface EventSource {
  get(eventId: string): IdentifiedPdu | undefined;
  /**
   * Whether the event was rejected on receipt. The spec never lets a rejected event serve as an
   * auth event during the iterative auth checks; without this hook every event counts as accepted.
   */
  isRejected?(eventId: string): boolean;
}

/** A room state: `stateKeyOf(type, state_key)` -> event id. */
export type StateMap = Map<string, string>;

/** The state key of an event, or undefined for a message event. */
export function stateMapKey(event: IdentifiedPdu): string | undefined {
  return event.state_key === undefined ? undefined : stateKeyOf(event.type, event.state_key);
}

export const POWER_LEVELS_KEY = stateKeyOf("m.room.power_levels", "");
export const CREATE_KEY = stateKeyOf("m.room.create", "");
export const JOIN_RULES_KEY = stateKeyOf("m.room.join_rules", "");

/**
 * Orders strings by Unicode code point, as Synapse (Python) and ruma (Rust) do. JavaScript's `<`
 * compares UTF-16 code units, which differs only when a surrogate meets a unit in U+E000..U+FFFF;
 * event ids are almost always ASCII, so the fast path is a plain comparison.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    // A surrogate pair encodes a code point above U+FFFF, so it sorts after any BMP unit.
    if (xSurrogate && !ySurrogate) return 1;
    if (ySurrogate && !xSurrogate) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * A power event might remove someone's ability to act: power levels, join rules, kicks and bans.
 * The create event counts too, as it does in Synapse and ruma, so that it is always ordered first.
 */
export function isPowerEvent(event: IdentifiedPdu): boolean {
  if (event.state_key === undefined) return false;
  if (event.type === "m.room.power_levels" || event.type === "m.room.join_rules" || event.type === "m.room.create") {
    return event.state_key === "";
  }
  if (event.type === "m.room.member") {
    const membership = event.content?.membership;
    return (membership === "leave" || membership === "ban") && event.sender !== event.state_key;
  }
  return false;
}
