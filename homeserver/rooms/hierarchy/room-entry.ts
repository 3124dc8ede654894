import type { JsonObject } from "../../events/pdu.js";
import type { HierarchyRoomSummary, SpaceHierarchyRoom } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import { summariseRoom } from "../directory-summary.js";
import type { RoomMemory } from "../persist/room-memory.js";
import { spaceChildren } from "./space-children.js";

export const SPACE_ROOM_TYPE = "m.space";
const MEGOLM = "m.megolm.v1.aes-sha2";

/** The join rule in force when it can name rooms to join through (restricted, knock_restricted), else undefined. */
export function restrictedJoinRule(memory: RoomMemory): JsonObject | undefined {
  const content = memory.stateEvent("m.room.join_rules")?.content;
  const rule = content?.join_rule;
  if (rule === "restricted" && memory.version.restrictedJoins) return content;
  if (rule === "knock_restricted" && memory.version.knockRestricted) return content;
  return undefined;
}

/** The rooms whose members a restricted join rule lets in (its `m.room_membership` entries). */
export function allowedRoomIds(memory: RoomMemory): string[] {
  const allow = restrictedJoinRule(memory)?.allow;
  if (!Array.isArray(allow)) return [];
  const ids: string[] = [];
  for (const entry of allow) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) continue;
    if (entry.type === "m.room_membership" && typeof entry.room_id === "string") ids.push(entry.room_id);
  }
  return ids;
}

/**
 * A room's summary as the hierarchy shows it: the directory's fields from current state, the room version,
 * its encryption, and (over federation only) the rooms a restricted join rule names.
 */
export function roomSummary(memory: RoomMemory, forFederation: boolean): HierarchyRoomSummary {
  const summary: HierarchyRoomSummary = { ...summariseRoom(memory, memory.joinedCount()), room_version: memory.version.id };
  if (memory.stateEvent("m.room.encryption")?.content.algorithm === MEGOLM) summary.encryption = MEGOLM;
  if (forFederation) {
    const allowed = allowedRoomIds(memory);
    if (allowed.length > 0) summary.allowed_room_ids = allowed;
  }
  return summary;
}

/** The summary with the room's children; a room that is not a space has none, as the spec asks. */
export function roomWithChildren(memory: RoomMemory, forFederation: boolean, suggestedOnly: boolean): SpaceHierarchyRoom {
  const summary = roomSummary(memory, forFederation);
  return { ...summary, children_state: summary.room_type === SPACE_ROOM_TYPE ? spaceChildren(memory, suggestedOnly) : [] };
}
