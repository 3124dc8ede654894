import type { HierarchyRoomSummary } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import type { RoomMemory } from "../persist/room-memory.js";
import { allowedRoomIds, restrictedJoinRule } from "./room-entry.js";

/**
 * Whether anyone may see a room in a hierarchy: anyone can join it (public), ask to (knock, knock_restricted,
 * where its version has them) or read it (world_readable). A room without a join rule is invite-only.
 */
export function openToAnyone(memory: RoomMemory): boolean {
  const rule = memory.stateEvent("m.room.join_rules")?.content.join_rule;
  if (rule === "public") return true;
  if (rule === "knock" && memory.version.knocking) return true;
  if (rule === "knock_restricted" && memory.version.knockRestricted) return true;
  return memory.stateEvent("m.room.history_visibility")?.content.history_visibility === "world_readable";
}

/** Whether `userId` is joined to a room: a restricted join rule lets in the members of the rooms it names. */
export type IsJoined = (roomId: string, userId: string) => Promise<boolean>;
/** Whether `server` has a joined member in a room we hold. */
export type HasServerJoined = (roomId: string, server: string) => Promise<boolean>;

/**
 * The spec's rule for GET /hierarchy: the user is joined or invited, may join (public, or restricted with a
 * membership it asks for), may knock, or the room is world readable.
 */
export async function visibleToUser(memory: RoomMemory, userId: string, isJoined: IsJoined): Promise<boolean> {
  if (openToAnyone(memory)) return true;
  const membership = memory.membershipOf(userId);
  if (membership === "join" || membership === "invite") return true;
  if (!restrictedJoinRule(memory)) return false;
  for (const roomId of allowedRoomIds(memory)) if (await isJoined(roomId, userId)) return true;
  return false;
}

/**
 * Over federation the question is whether any user of the asking server could see the room (it filters for
 * its own user): one of its users is joined or invited, or joined to a room a restricted join rule names.
 */
export async function visibleToServer(memory: RoomMemory, origin: string, hasJoined: HasServerJoined): Promise<boolean> {
  if (openToAnyone(memory)) return true;
  const suffix = `:${origin}`;
  for (const [key, event] of memory.state) {
    if (!key.startsWith("m.room.member\u0000") || !event.state_key!.endsWith(suffix)) continue;
    if (event.content.membership === "join" || event.content.membership === "invite") return true;
  }
  if (!restrictedJoinRule(memory)) return false;
  for (const roomId of allowedRoomIds(memory)) if (await hasJoined(roomId, origin)) return true;
  return false;
}

/**
 * A room another server summarised for us: shown when anyone may see it (the remote answer carries no room
 * version, so knock rules are taken at their word), when the user is joined to a room its restricted rule
 * names, or when what we hold of the room says the user is in it or invited.
 */
export async function remoteRoomVisibleToUser(
  summary: HierarchyRoomSummary,
  userId: string,
  isJoined: IsJoined,
  heldMembership: string | undefined,
): Promise<boolean> {
  const rule = summary.join_rule ?? "public";
  if (rule === "public" || rule === "knock" || rule === "knock_restricted" || summary.world_readable) return true;
  for (const roomId of summary.allowed_room_ids ?? []) if (await isJoined(roomId, userId)) return true;
  return heldMembership === "join" || heldMembership === "invite";
}
