import type { JsonObject, JsonValue } from "../../events/pdu.js";
import type { RoomVersion } from "../../events/room-versions.js";
import { readPowerLevel } from "../../events/auth-rules/power-levels.js";
import { userPowerLevel } from "../../events/auth-rules/index.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { CreateRoomRequest } from "../create-room-request.js";

/** State the new room takes from the old, as Synapse copies it (the spec's list); power levels apart. */
const COPIED_STATE = [
  "m.room.join_rules",
  "m.room.name",
  "m.room.topic",
  "m.room.history_visibility",
  "m.room.guest_access",
  "m.room.avatar",
  "m.room.encryption",
  "m.room.server_acl",
];
const NAMED_LEVELS = ["users_default", "events_default", "state_default", "ban", "kick", "redact", "invite"];
/** The upgrading user's level in the new room when the old one gave them a creator's unlimited power. */
const ADMIN_LEVEL = 100;

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

export interface UpgradePlan {
  /** What POST /createRoom would be asked for the replacement room. */
  createRequest: CreateRoomRequest;
  /** Power levels to send into the new room once its state is copied, when the creation had to lend the upgrader more. */
  finalPowerLevels?: JsonObject;
  /** Users banned from the old room, banned from the new one too (Synapse does). */
  bans: Array<{ userId: string; reason?: string }>;
}

/**
 * A levels map with integers only: the new room's version may require them (v10+) where the old one read
 * "50" as 50. Entries that cannot be read are dropped, as the auth rules would have ignored them.
 */
function integerLevels(map: JsonValue | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isObject(map)) return out;
  for (const [key, value] of Object.entries(map)) {
    const level = readPowerLevel(value);
    if (level !== undefined) out[key] = level;
  }
  return out;
}

/** The old room's power levels as the new room's content; creators of a v12 room must not be listed. */
function copiedPowerLevels(old: JsonObject, creators: ReadonlySet<string>): JsonObject {
  const content: JsonObject = { ...old };
  for (const key of NAMED_LEVELS) {
    if (!(key in old)) continue;
    const level = readPowerLevel(old[key]);
    if (level === undefined) delete content[key];
    else content[key] = level;
  }
  // Written out even when empty: createRoom lays an override over its defaults, whose `events` map differs.
  content.events = integerLevels(old.events);
  content.users = integerLevels(old.users);
  if ("notifications" in old) content.notifications = integerLevels(old.notifications);
  for (const creator of creators) delete (content.users as JsonObject)[creator];
  return content;
}

/** What the upgrader needs to send every copied event, as Synapse reckons it: any state, any listed event, a ban. */
function levelNeededToCopy(content: JsonObject): number {
  const events = Object.values(content.events as JsonObject).map((v) => v as number);
  return Math.max((content.state_default as number | undefined) ?? 50, (content.ban as number | undefined) ?? 50, ...events, 0);
}

/**
 * How the replacement room is made: its create content (predecessor, type, federation flag, creators), the
 * state copied from the old room, and its power levels. `lastEventId` is the old room's last event before the
 * tombstone, the predecessor's `event_id` (the tombstone can only be sent once the new room's id is known).
 */
export function planUpgrade(
  old: RoomMemory,
  upgrader: string,
  version: RoomVersion,
  additionalCreators: readonly string[],
  lastEventId: string | undefined,
): UpgradePlan {
  const oldCreate = old.stateEvent("m.room.create")?.content ?? {};
  const predecessor: JsonObject = { room_id: old.roomId };
  if (lastEventId) predecessor.event_id = lastEventId;
  const creationContent: JsonObject = { predecessor };
  if (typeof oldCreate.type === "string") creationContent.type = oldCreate.type;
  if (oldCreate["m.federate"] === false) creationContent["m.federate"] = false;
  const creators = new Set<string>(version.creatorsHavePrivilege ? [upgrader, ...additionalCreators] : []);
  if (version.creatorsHavePrivilege && additionalCreators.length > 0) creationContent.additional_creators = [...additionalCreators];

  const initialState: NonNullable<CreateRoomRequest["initial_state"]> = [];
  for (const [, event] of old.state) {
    const type = event.type;
    const copied =
      (COPIED_STATE.includes(type) && event.state_key === "") ||
      // A space keeps its children; any room keeps the spaces it says it belongs to. Removed links have no content.
      ((type === "m.space.child" ? oldCreate.type === "m.space" : type === "m.space.parent") && Object.keys(event.content).length > 0);
    if (copied) initialState.push({ type, state_key: event.state_key, content: event.content });
  }

  const request: CreateRoomRequest = { room_version: version.id, preset: "private_chat", creation_content: creationContent, initial_state: initialState };
  let finalPowerLevels: JsonObject | undefined;
  const oldLevels = old.stateEvent("m.room.power_levels")?.content;
  if (oldLevels) {
    const content = copiedPowerLevels(oldLevels, creators);
    const users = content.users as JsonObject;
    if (!version.creatorsHavePrivilege) {
      if (!(upgrader in users)) {
        const level = userPowerLevel(upgrader, old.lookup, old.version);
        users[upgrader] = Number.isFinite(level) ? level : ADMIN_LEVEL;
      }
      const needed = levelNeededToCopy(content);
      if ((users[upgrader] as number) < needed) {
        // Lent for the copy only, then the old levels are restored, as Synapse does.
        finalPowerLevels = content;
        request.power_level_content_override = { ...content, users: { ...users, [upgrader]: needed } };
      }
    }
    request.power_level_content_override ??= content;
  }

  const bans: UpgradePlan["bans"] = [];
  for (const [key, event] of old.state) {
    if (!key.startsWith("m.room.member\u0000") || event.content.membership !== "ban") continue;
    const reason = event.content.reason;
    bans.push({ userId: event.state_key!, ...(typeof reason === "string" ? { reason } : {}) });
  }
  return { createRequest: request, finalPowerLevels, bans };
}

/**
 * The old room's power levels once it is replaced: sending messages and inviting need at least a moderator,
 * and more than the default user (the spec's suggestion, what Synapse sets). Undefined when they already do.
 */
export function restrictedPowerLevels(old: JsonObject): JsonObject | undefined {
  const restricted = Math.max((readPowerLevel(old.users_default) ?? 0) + 1, 50);
  const content: JsonObject = { ...old };
  let changed = false;
  for (const key of ["events_default", "invite"]) {
    const current = key in old ? (readPowerLevel(old[key]) ?? 0) : 0;
    if (current < restricted) {
      content[key] = restricted;
      changed = true;
    }
  }
  return changed ? content : undefined;
}
