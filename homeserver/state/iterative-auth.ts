import { authEventTypesFor, checkEventAuth } from "../events/auth-rules/index.js";
import { stateKeyOf, type IdentifiedPdu, type StateLookup } from "../events/pdu.js";
import type { RoomVersion } from "../events/room-versions.js";
import { authEventIds } from "./auth-chain.js";
import { createEventIdFromRoomId } from "./power-ordering.js";
import { CREATE_KEY, type EventSource, type StateMap } from "./types.js";

function usable(id: string, events: EventSource): IdentifiedPdu | undefined {
  const event = events.get(id);
  if (!event || event.state_key === undefined) return undefined;
  return events.isRejected?.(id) ? undefined : event;
}

/**
 * The state an event is authorised against during the iterative auth checks: its own auth events,
 * overridden, for the keys the auth rules need, by the partially resolved state. Rejected events
 * never serve as auth events. A v12 event does not cite the create event, which the auth rules
 * still need, so it is found through the room id.
 */
export function iterativeAuthState(
  event: IdentifiedPdu,
  state: StateMap,
  version: RoomVersion,
  events: EventSource,
): StateLookup {
  const byKey = new Map<string, IdentifiedPdu>();
  for (const id of authEventIds(event)) {
    const auth = usable(id, events);
    if (auth) byKey.set(stateKeyOf(auth.type, auth.state_key!), auth);
  }
  if (version.roomIdFromCreateEvent && event.type !== "m.room.create") {
    const createId = createEventIdFromRoomId(event.room_id);
    const create = createId === undefined ? undefined : usable(createId, events);
    if (create && create.type === "m.room.create") byKey.set(CREATE_KEY, create);
  }
  for (const [type, stateKey] of authEventTypesFor(event, version)) {
    const key = stateKeyOf(type, stateKey);
    const id = state.get(key);
    const current = id === undefined ? undefined : usable(id, events);
    if (current) byKey.set(key, current);
  }
  return { get: (type, stateKey) => byKey.get(stateKeyOf(type, stateKey)) };
}

/** Whether the auth rules allow `event` on top of `state` (with the fallbacks described above). */
export function passesIterativeAuth(
  event: IdentifiedPdu,
  state: StateMap,
  version: RoomVersion,
  events: EventSource,
): boolean {
  if (event.state_key === undefined) return false;
  try {
    return checkEventAuth(event, iterativeAuthState(event, state, version, events), version).ok;
  } catch {
    // Malformed content the rules could not even read cannot be authorised.
    return false;
  }
}

/**
 * The iterative auth checks: apply each event, in order, to `state` if the auth rules allow it,
 * otherwise ignore it (the key keeps whatever it held). Mutates and returns `state`.
 */
export function iterativeAuthChecks(
  version: RoomVersion,
  eventIds: readonly string[],
  state: StateMap,
  events: EventSource,
): StateMap {
  for (const id of eventIds) {
    const event = events.get(id);
    if (!event || event.state_key === undefined) continue;
    if (passesIterativeAuth(event, state, version, events)) state.set(stateKeyOf(event.type, event.state_key), id);
  }
  return state;
}
