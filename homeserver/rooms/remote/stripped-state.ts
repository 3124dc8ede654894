import type { RoomMemory } from "../persist/room-memory.js";
import { toWirePdu } from "./federation-reads.js";

/** The state that lets an invitee or knocker recognise a room (spec: Stripped state), create first. */
export const STRIPPED_STATE_TYPES = [
  "m.room.create",
  "m.room.name",
  "m.room.avatar",
  "m.room.topic",
  "m.room.join_rules",
  "m.room.canonical_alias",
  "m.room.encryption",
] as const;

/** The client-server form of a stripped state event. */
export interface StrippedStateEvent {
  type: string;
  state_key: string;
  sender: string;
  content: Record<string, unknown>;
}

/**
 * The room's current descriptive state as full PDUs, the form invite_room_state and knock_room_state take
 * since v1.16 (the receiver strips them for its clients).
 */
export function roomStateForInviteOrKnock(memory: RoomMemory): Record<string, unknown>[] {
  return STRIPPED_STATE_TYPES.map((type) => memory.stateEvent(type))
    .filter((event) => event !== undefined)
    .map((event) => toWirePdu(event!, memory.version));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** At most this many entries of a peer's invite_room_state are kept for our clients. */
const MAX_STRIPPED_EVENTS = 50;

/**
 * Strips what a peer sent as invite or knock room state (full PDUs or already stripped events) to the
 * client form, dropping entries that are not state events.
 */
export function toStrippedState(entries: unknown): StrippedStateEvent[] {
  if (!Array.isArray(entries)) return [];
  const stripped: StrippedStateEvent[] = [];
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.type !== "string" || typeof entry.sender !== "string" || !isObject(entry.content)) continue;
    if (typeof entry.state_key !== "string") continue;
    stripped.push({ type: entry.type, state_key: entry.state_key, sender: entry.sender, content: entry.content });
    if (stripped.length >= MAX_STRIPPED_EVENTS) break;
  }
  return stripped;
}
