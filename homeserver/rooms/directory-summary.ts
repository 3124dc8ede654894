import type { JsonObject, JsonValue } from "../events/pdu.js";
import type { PublishedRoomsChunk } from "../../schemas/client/directory/get-public-rooms.js";
import type { RoomMemory } from "./persist/room-memory.js";

/** Join rules under which a stranger can reach a published room (Synapse lists the same, plus world-readable rooms). */
const REACHABLE_JOIN_RULES = new Set(["public", "knock", "knock_restricted"]);

const stringField = (content: JsonObject | undefined, key: string): string | undefined => {
  const value = content?.[key];
  return typeof value === "string" ? value : undefined;
};

/**
 * The plain-text topic: the text/plain representation from `m.topic` when present (a missing mimetype means
 * text/plain), else the legacy `topic` string. The spec omits the field when there is none.
 */
export function plainTextTopic(content: JsonObject | undefined): string | undefined {
  const blocks: JsonValue | undefined = content?.["m.topic"];
  const text = (blocks as JsonObject | undefined)?.["m.text"];
  if (Array.isArray(text)) {
    for (const block of text) {
      if (block === null || typeof block !== "object" || Array.isArray(block)) continue;
      const mimetype = block.mimetype ?? "text/plain";
      if (mimetype === "text/plain" && typeof block.body === "string") return block.body;
    }
  }
  return stringField(content, "topic");
}

/** A published-room entry built from a room's current state; optional fields are left out, never null. */
export function summariseRoom(memory: RoomMemory, joinedMembers: number): PublishedRoomsChunk {
  const content = (type: string) => memory.stateEvent(type)?.content;
  const entry: PublishedRoomsChunk = {
    room_id: memory.roomId,
    num_joined_members: joinedMembers,
    world_readable: stringField(content("m.room.history_visibility"), "history_visibility") === "world_readable",
    guest_can_join: stringField(content("m.room.guest_access"), "guest_access") === "can_join",
  };
  const name = stringField(content("m.room.name"), "name");
  if (name) entry.name = name;
  const topic = plainTextTopic(content("m.room.topic"));
  if (topic) entry.topic = topic;
  const alias = stringField(content("m.room.canonical_alias"), "alias");
  if (alias?.startsWith("#") && alias.includes(":")) entry.canonical_alias = alias;
  const avatar = stringField(content("m.room.avatar"), "url");
  if (avatar?.startsWith("mxc://")) entry.avatar_url = avatar;
  const joinRule = stringField(content("m.room.join_rules"), "join_rule");
  if (joinRule) entry.join_rule = joinRule;
  const roomType = stringField(content("m.room.create"), "type");
  if (roomType) entry.room_type = roomType;
  return entry;
}

/** Whether a published room belongs in the listing: someone is still in it and a stranger could get in or read it. */
export function isListable(entry: PublishedRoomsChunk): boolean {
  if (entry.num_joined_members <= 0) return false;
  // The spec assumes `public` when a room has no join rule.
  return REACHABLE_JOIN_RULES.has(entry.join_rule ?? "public") || entry.world_readable;
}
