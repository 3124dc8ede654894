/**
 * "Auth events selection" (server-server API) and the rule that an event's auth_events are
 * exactly such a selection: no duplicates, nothing outside it, all from the same room, and (before
 * v12) including the create event.
 */
import { referenceIds, type IdentifiedPdu } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import {
  ALLOW,
  CREATE,
  JOIN_RULES,
  MEMBER,
  POWER_LEVELS,
  THIRD_PARTY_INVITE,
  isObject,
  reject,
  type AuthResult,
  type EventShape,
} from "./common.js";
import { authorisingUserOf } from "./member.js";

export type StateKeyPair = [type: string, stateKey: string];

/**
 * The (type, state_key) pairs whose current state events belong in `auth_events` of `event`,
 * when they exist. In v12 the create event is never listed (the room id names it).
 */
export function authEventTypesFor(event: EventShape, version: RoomVersion): StateKeyPair[] {
  if (event.type === CREATE) return [];
  const pairs: StateKeyPair[] = [];
  const seen = new Set<string>();
  const add = (type: string, stateKey: string) => {
    const key = `${type}\u0000${stateKey}`;
    if (!seen.has(key)) {
      seen.add(key);
      pairs.push([type, stateKey]);
    }
  };
  if (!version.roomIdFromCreateEvent) add(CREATE, "");
  add(POWER_LEVELS, "");
  add(MEMBER, event.sender);
  if (event.type === MEMBER && typeof event.state_key === "string" && isObject(event.content)) {
    const membership = event.content["membership"];
    add(MEMBER, event.state_key);
    // Knocks read the join rule too; Synapse selects it for them, and the rule needs it.
    if (membership === "join" || membership === "invite" || membership === "knock") add(JOIN_RULES, "");
    if (membership === "invite") {
      const tpi = event.content["third_party_invite"];
      const signed = isObject(tpi) ? tpi["signed"] : undefined;
      const token = isObject(signed) ? signed["token"] : undefined;
      if (typeof token === "string") add(THIRD_PARTY_INVITE, token);
    }
    const authoriser = authorisingUserOf(event, version);
    if (authoriser !== undefined) add(MEMBER, authoriser);
  }
  return pairs;
}

/**
 * Checks the auth events an event cites (rules "considering the event's auth_events"), given
 * those events fetched by id. Whether any of them was itself rejected is for the caller to check,
 * as it depends on stored outcomes, not on the events.
 */
export function checkAuthEventsSelection(event: IdentifiedPdu, authEvents: IdentifiedPdu[], version: RoomVersion): AuthResult {
  if (!Array.isArray(event.auth_events)) return reject("auth_events is not a list");
  const cited = referenceIds(event.auth_events);
  const citedSet = new Set(cited);
  if (citedSet.size !== cited.length) return reject("auth_events cites the same event twice");
  const provided = new Set(authEvents.map((e) => e.event_id));
  for (const id of cited) if (!provided.has(id)) return reject(`auth event ${id} was not supplied`);

  const allowed = new Set(authEventTypesFor(event, version).map(([t, k]) => `${t}\u0000${k}`));
  const found = new Set<string>();
  for (const authEvent of authEvents) {
    if (!citedSet.has(authEvent.event_id)) return reject(`${authEvent.event_id} is not in the event's auth_events`);
    if (typeof authEvent.state_key !== "string") return reject(`auth event ${authEvent.event_id} is not a state event`);
    const key = `${authEvent.type}\u0000${authEvent.state_key}`;
    if (found.has(key)) return reject(`duplicate auth events for (${authEvent.type}, ${authEvent.state_key})`);
    found.add(key);
    if (!allowed.has(key)) return reject(`auth event (${authEvent.type}, ${authEvent.state_key}) is not one the selection allows`);
    if (authEvent.room_id !== event.room_id) return reject(`auth event ${authEvent.event_id} is from another room`);
  }
  if (event.type !== CREATE && !version.roomIdFromCreateEvent && !found.has(`${CREATE}\u0000`)) {
    return reject("auth_events has no m.room.create");
  }
  return ALLOW;
}
