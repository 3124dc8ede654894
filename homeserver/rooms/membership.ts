import { errors } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import type { Requester } from "../users/requester.js";
import type { EventPersister } from "./persist/event-persister.js";
import type { SendRemoteInvite } from "./remote/send-remote-invite.js";
import type { RoomMemory } from "./persist/room-memory.js";

export type MembershipAction = "invite" | "kick" | "ban" | "unban" | "leave" | "join" | "knock";

export interface MembershipDeps {
  persister: EventPersister;
  memberContent(userId: string, membership: string): Promise<JsonObject>;
  /** Present once federation is composed: invites to users of other servers need their countersignature. */
  remoteInvites?: SendRemoteInvite;
  serverName?: string;
}

/** The spec lets guests join a room only while its m.room.guest_access says can_join. */
export function guestsMayJoin(memory: RoomMemory | undefined): boolean {
  return memory?.stateEvent("m.room.guest_access")?.content.guest_access === "can_join";
}

/**
 * Membership changes of a local room. The auth rules decide what is allowed; here we only shape the event
 * and turn "not in the room" into the errors clients expect before the rules would say something vaguer.
 */
export async function changeMembership(
  deps: MembershipDeps,
  requester: Requester,
  roomId: string,
  action: MembershipAction,
  target: string,
  reason?: string,
  /** Other fields the client put in its own join's content; the membership and reason stay ours. */
  extraContent: JsonObject = {},
): Promise<string> {
  const memory = await deps.persister.roomMemory(roomId);
  if (!memory) throw action === "join" ? errors.notFound("No known servers to join this room") : errors.forbidden("You are not in this room");
  // Guests only come and go, and come only where the room lets guests in (Synapse refuses the rest the same way).
  if (requester.isGuest && (action === "join" ? !guestsMayJoin(memory) : action !== "leave")) throw errors.guestAccessForbidden();
  const current = memory.membershipOf(target);
  let content: JsonObject;
  switch (action) {
    case "join":
      if (current === "ban") throw errors.forbidden("You are banned from this room");
      content = await deps.memberContent(target, "join");
      break;
    case "knock":
      if (current === "join") throw errors.forbidden("You are already in the room");
      if (current === "ban") throw errors.forbidden("You are banned from this room");
      content = await deps.memberContent(target, "knock");
      break;
    case "invite":
      if (current === "join") throw errors.forbidden(`${target} is already in the room`);
      if (current === "ban") throw errors.forbidden(`${target} is banned from the room`);
      content = { membership: "invite", ...(await profileOnly(deps, target)) };
      break;
    case "leave":
      if (current === undefined || current === "leave") {
        throw errors.forbidden("You are not in this room");
      }
      if (current === "ban") throw errors.forbidden("You are banned from this room");
      content = { membership: "leave" };
      break;
    case "kick":
      if (current !== "join" && current !== "invite" && current !== "knock") throw errors.forbidden(`${target} is not in the room`);
      content = { membership: "leave" };
      break;
    case "ban":
      content = { membership: "ban" };
      break;
    case "unban":
      if (current !== "ban") throw errors.forbidden(`${target} is not banned`);
      content = { membership: "leave" };
      break;
  }
  content = { ...content, ...extraContent, membership: content.membership };
  if (reason !== undefined) content.reason = reason;
  const remoteInvitee = action === "invite" && deps.serverName !== undefined && !target.endsWith(`:${deps.serverName}`);
  if (remoteInvitee && !deps.remoteInvites) throw errors.forbidden("Inviting users of other servers is not available");
  const persisted = await deps.persister.persistLocal(
    roomId,
    { type: "m.room.member", stateKey: target, sender: requester.userId, content },
    remoteInvitee ? { beforeWrite: deps.remoteInvites!.countersign(memory, target) } : {},
  );
  return persisted.eventId;
}

async function profileOnly(deps: MembershipDeps, userId: string): Promise<JsonObject> {
  const { membership: _m, ...profile } = await deps.memberContent(userId, "invite");
  return profile;
}
