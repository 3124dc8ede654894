/**
 * The m.room.member rules (rule 5 in v1–v5 and v12, rule 4 in v6–v11): who may change whose
 * membership to what, given the join rule and power levels.
 */
import { referenceIds, type IdentifiedPdu, type StateLookup } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import {
  ALLOW,
  CREATE,
  MEMBER,
  creatorOf,
  has,
  joinRuleOf,
  membershipOf,
  reject,
  type AuthResult,
} from "./common.js";
import { namedPowerLevel, userPowerLevel } from "./power-levels.js";
import { checkThirdPartyInvite } from "./third-party-invite.js";

export function checkMemberEvent(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const membership = event.content["membership"];
  if (typeof event.state_key !== "string" || typeof membership !== "string") {
    return reject("m.room.member needs a state_key and a string content.membership");
  }
  // The signature of the authorising server (rule 5.2 in v8+) is checked by the caller's signature
  // verification: see requiredSignatureServers in ./signatures.ts.
  switch (membership) {
    case "join":
      return checkJoin(event, authState, version);
    case "invite":
      return has(event.content, "third_party_invite")
        ? checkThirdPartyInvite(event, authState)
        : checkInvite(event, authState, version);
    case "leave":
      return checkLeave(event, authState, version);
    case "ban":
      return checkBan(event, authState, version);
    case "knock":
      if (version.knocking) return checkKnock(event, authState, version);
      return reject("knock membership is not supported in this room version");
    default:
      return reject(`unknown membership '${membership}'`);
  }
}

function checkJoin(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const target = event.state_key as string;
  // The creator's own join right after the create event bootstraps the room.
  const create = authState.get(CREATE, "");
  const prev = Array.isArray(event.prev_events) ? referenceIds(event.prev_events) : [];
  if (create && prev.length === 1 && prev[0] === create.event_id && creatorOf(create, version) === target) {
    return ALLOW;
  }
  if (event.sender !== target) return reject("cannot join on behalf of another user");
  const current = membershipOf(authState, target);
  if (current === "ban") return reject("sender is banned");

  const rule = joinRuleOf(authState);
  const invitedOrJoined = current === "invite" || current === "join";
  if (rule === "invite" || (version.knocking && rule === "knock")) {
    return invitedOrJoined ? ALLOW : reject(`join rule is ${rule} and sender is not invited`);
  }
  if ((version.restrictedJoins && rule === "restricted") || (version.knockRestricted && rule === "knock_restricted")) {
    if (invitedOrJoined) return ALLOW;
    return checkAuthorisedJoin(event, authState, version);
  }
  if (rule === "public") return ALLOW;
  return reject(`join rule '${rule}' does not allow joining`);
}

/**
 * Restricted joins: a resident user able to invite vouches for the joiner (the resident server
 * checked the allow conditions, which need state of other rooms and so are not auth rules).
 */
function checkAuthorisedJoin(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const authoriser = event.content["join_authorised_via_users_server"];
  if (typeof authoriser !== "string") return reject("restricted join lacks join_authorised_via_users_server");
  // Only a joined user can invite, so only a joined user can vouch (as Synapse also requires).
  if (membershipOf(authState, authoriser) !== "join") return reject("authorising user is not joined to the room");
  if (userPowerLevel(authoriser, authState, version) < namedPowerLevel("invite", authState, version)) {
    return reject("authorising user may not invite");
  }
  return ALLOW;
}

function checkInvite(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const target = event.state_key as string;
  if (membershipOf(authState, event.sender) !== "join") return reject("inviter is not joined");
  const targetMembership = membershipOf(authState, target);
  if (targetMembership === "join") return reject("invitee is already joined");
  if (targetMembership === "ban") return reject("invitee is banned");
  if (userPowerLevel(event.sender, authState, version) < namedPowerLevel("invite", authState, version)) {
    return reject("inviter's power level is below the invite level");
  }
  return ALLOW;
}

function checkLeave(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const target = event.state_key as string;
  const senderMembership = membershipOf(authState, event.sender);
  if (event.sender === target) {
    // Leaving, rejecting an invite, or withdrawing a knock.
    const mayLeave = senderMembership === "join" || senderMembership === "invite" || (version.knocking && senderMembership === "knock");
    return mayLeave ? ALLOW : reject(`cannot leave with membership '${senderMembership}'`);
  }
  if (senderMembership !== "join") return reject("kicker is not joined");
  const senderLevel = userPowerLevel(event.sender, authState, version);
  if (membershipOf(authState, target) === "ban" && senderLevel < namedPowerLevel("ban", authState, version)) {
    return reject("unbanning needs the ban level");
  }
  if (senderLevel >= namedPowerLevel("kick", authState, version) && userPowerLevel(target, authState, version) < senderLevel) {
    return ALLOW;
  }
  return reject("kicking needs the kick level and a level above the target's");
}

function checkBan(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  if (membershipOf(authState, event.sender) !== "join") return reject("banner is not joined");
  const senderLevel = userPowerLevel(event.sender, authState, version);
  const target = event.state_key as string;
  if (senderLevel >= namedPowerLevel("ban", authState, version) && userPowerLevel(target, authState, version) < senderLevel) {
    return ALLOW;
  }
  return reject("banning needs the ban level and a level above the target's");
}

function checkKnock(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const rule = joinRuleOf(authState);
  if (rule !== "knock" && !(version.knockRestricted && rule === "knock_restricted")) {
    return reject(`join rule '${rule}' does not allow knocking`);
  }
  if (event.sender !== event.state_key) return reject("cannot knock on behalf of another user");
  const current = membershipOf(authState, event.sender);
  if (current === "ban" || current === "invite" || current === "join") return reject(`cannot knock while ${current}`);
  return ALLOW;
}

/** Exposed for selection: the member key a restricted join cites, when the version has them. */
export function authorisingUserOf(event: { type: string; content: IdentifiedPdu["content"] }, version: RoomVersion): string | undefined {
  if (!version.restrictedJoins || event.type !== MEMBER || event.content["membership"] !== "join") return undefined;
  const authoriser = event.content["join_authorised_via_users_server"];
  return typeof authoriser === "string" ? authoriser : undefined;
}
