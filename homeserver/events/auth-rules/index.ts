/**
 * The authorization rules of every room version (spec: rooms/v1 … v12, "Authorization rules").
 *
 * checkEventAuth judges one event against one set of state. The receipt checks call it up to three
 * times with different `authState`: the event's own auth events, the state before the event, and
 * the room's current state (soft-fail). It is pure; the caller supplies:
 *  - `authState`: a StateLookup answering for (type, state_key). It must answer
 *    ("m.room.create", "") with the room's create event in every room version. In v12 the create
 *    event is not among `auth_events` (the room id names it: `!` + its reference hash), so when
 *    checking against auth events, add it explicitly, e.g.
 *    `withStateEvents(stateLookupFromEvents(authEvents), [createEvent])`, where createEvent is the
 *    event with id `$` + room_id.slice(1), which must itself have been accepted.
 *  - signature verification (see requiredSignatureServers), checkAuthEventsSelection on the
 *    cited auth events, and whether any auth event was itself rejected.
 */
import type { IdentifiedPdu, StateLookup } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import {
  ALIASES,
  ALLOW,
  CREATE,
  MEMBER,
  POWER_LEVELS,
  REDACTION,
  THIRD_PARTY_INVITE,
  membershipOf,
  reject,
  roomIdForCreateEventId,
  serverNameOf,
  type AuthResult,
} from "./common.js";
import { checkCreateEvent } from "./create.js";
import { checkEventLimits } from "./limits.js";
import { checkMemberEvent } from "./member.js";
import { checkPowerLevelsEvent, namedPowerLevel, requiredPowerLevel, userPowerLevel } from "./power-levels.js";
import { checkRedactionAuthRule } from "./redactions.js";

export function checkEventAuth(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const limits = checkEventLimits(event, version);
  if (!limits.ok) return limits;

  if (event.type === CREATE) return checkCreateEvent(event, version);

  const create = authState.get(CREATE, "");
  if (!create) return reject("no m.room.create event in the auth state");
  // The caller chose `version` from this create event; disagreement is a caller bug worth naming.
  const declared = typeof create.content["room_version"] === "string" ? create.content["room_version"] : "1";
  if (declared !== version.id) return reject(`room is version ${declared} but the event is checked as ${version.id}`);
  if (version.roomIdFromCreateEvent) {
    if (event.room_id !== roomIdForCreateEventId(create.event_id)) return reject("room_id is not derived from the room's m.room.create event");
  } else if (create.room_id !== event.room_id) {
    return reject("m.room.create in the auth state belongs to another room");
  }

  if (create.content["m.federate"] === false && serverNameOf(event.sender) !== serverNameOf(create.sender)) {
    return reject("room does not federate and the sender is on another server");
  }

  if (version.specialCaseAliasesAuth && event.type === ALIASES) {
    if (typeof event.state_key !== "string" || event.state_key === "") return reject("m.room.aliases needs a state_key");
    if (event.state_key !== serverNameOf(event.sender)) return reject("m.room.aliases state_key must be the sender's server");
    return ALLOW;
  }

  if (event.type === MEMBER) return checkMemberEvent(event, authState, version);

  if (membershipOf(authState, event.sender) !== "join") return reject("sender is not joined to the room");

  if (event.type === THIRD_PARTY_INVITE) {
    return userPowerLevel(event.sender, authState, version) >= namedPowerLevel("invite", authState, version)
      ? ALLOW
      : reject("sender's power level is below the invite level");
  }

  const isState = typeof event.state_key === "string";
  const senderLevel = userPowerLevel(event.sender, authState, version);
  const required = requiredPowerLevel(event.type, isState, authState, version);
  if (senderLevel < required) return reject(`sending ${event.type} needs power level ${required}, sender has ${senderLevel}`);

  // User-owned state (state_key = a user id) may only be set by that user.
  if (isState && event.state_key!.startsWith("@") && event.state_key !== event.sender) {
    return reject("state_key names another user");
  }

  if (event.type === POWER_LEVELS) return checkPowerLevelsEvent(event, authState, version);

  if (version.redactionInAuthRules && event.type === REDACTION) return checkRedactionAuthRule(event, authState, version);

  return ALLOW;
}

export type { AuthResult, EventShape } from "./common.js";
export { isValidUserId, roomIdForCreateEventId, stateLookupFromEvents, withStateEvents, creatorsOf } from "./common.js";
export { checkCreateEvent } from "./create.js";
export { checkEventLimits, MAX_PDU_BYTES, MAX_ID_BYTES } from "./limits.js";
export { checkMemberEvent } from "./member.js";
export {
  checkPowerLevelsEvent,
  namedPowerLevel,
  parsePowerLevel,
  requiredPowerLevel,
  userPowerLevel,
  NAMED_LEVELS,
  type NamedLevel,
} from "./power-levels.js";
export { canApplyRedaction, checkRedactionAuthRule, redactsOf } from "./redactions.js";
export { authEventTypesFor, checkAuthEventsSelection, type StateKeyPair } from "./selection.js";
export { missingSignatureServers, requiredSignatureServers } from "./signatures.js";
export { checkThirdPartyInvite, signedBlockMatchesAnyKey, thirdPartyInvitePublicKeys } from "./third-party-invite.js";
