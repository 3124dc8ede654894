/**
 * Power levels: reading a user's level and the levels an action needs, and the rules for a new
 * m.room.power_levels event (rule 10 in v1–v5 numbering, 9 in v6–v11, 10 again in v12).
 */
import type { IdentifiedPdu, JsonObject, JsonValue, StateLookup } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import {
  ALLOW,
  CREATE,
  POWER_LEVELS,
  creatorOf,
  creatorsOf,
  has,
  isObject,
  isValidUserId,
  reject,
  type AuthResult,
} from "./common.js";

/** The named levels compared when a power-levels event changes them. */
export const NAMED_LEVELS = ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"] as const;
export type NamedLevel = (typeof NAMED_LEVELS)[number];

/**
 * Defaults when a key is absent. `invite` is 0 as in the client-server spec, Synapse and ruma
 * (the server-server glossary's "each defaults to 50" would make every room invite-restricted).
 */
const NAMED_DEFAULTS: Record<NamedLevel, number> = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  redact: 50,
  kick: 50,
  invite: 0,
};

// Room versions before 10 accept "stringy" integers: optional whitespace, sign and leading zeros.
const STRINGY_INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * One power-level value as a number, or undefined when the room version does not accept it:
 * v10+ only JSON integers; v1–v9 also integer strings; v1–v5 also floats, truncated (they predate
 * strict canonical JSON).
 */
export function parsePowerLevel(value: JsonValue | undefined, version: RoomVersion): number | undefined {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value;
    if (version.integerPowerLevels || version.strictCanonicalJson || !Number.isFinite(value)) return undefined;
    return Math.trunc(value);
  }
  if (typeof value === "string" && !version.integerPowerLevels && STRINGY_INTEGER.test(value)) {
    const parsed = Number.parseInt(value.trim(), 10);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

/**
 * Reading a level from state already accepted: lenient in every version (integer strings and
 * truncated floats are read, anything else falls back to the default), as Synapse reads them.
 * Validation is strict per version only when a new power-levels event arrives, so in a room whose
 * state passed the rules this leniency never changes an outcome; it only avoids surprises when
 * the state came from elsewhere (tests, imported rooms).
 */
export function readPowerLevel(value: JsonValue | undefined): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === "string" && STRINGY_INTEGER.test(value)) {
    const parsed = Number.parseInt(value.trim(), 10);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

function levelOr(content: JsonObject, key: string, fallback: number): number {
  return has(content, key) ? (readPowerLevel(content[key]) ?? fallback) : fallback;
}

function powerLevelsContent(authState: StateLookup): JsonObject | undefined {
  return authState.get(POWER_LEVELS, "")?.content;
}

/**
 * A user's power level. In v12 every room creator has infinite power, whatever power_levels says.
 * Without a power-levels event the creator has 100 and everyone else 0.
 */
export function userPowerLevel(userId: string, authState: StateLookup, version: RoomVersion): number {
  const create = authState.get(CREATE, "");
  if (version.creatorsHavePrivilege && create && creatorsOf(create).has(userId)) return Infinity;
  const content = powerLevelsContent(authState);
  if (content) {
    const usersDefault = levelOr(content, "users_default", 0);
    const users = content["users"];
    return isObject(users) ? levelOr(users, userId, usersDefault) : usersDefault;
  }
  return create && creatorOf(create, version) === userId ? 100 : 0;
}

/** invite / kick / ban / redact level (or a *_default) in force. */
export function namedPowerLevel(name: NamedLevel, authState: StateLookup, version: RoomVersion): number {
  const content = powerLevelsContent(authState);
  return content ? levelOr(content, name, NAMED_DEFAULTS[name]) : NAMED_DEFAULTS[name];
}

/**
 * The "required power level" to send an event of this type. Without any power-levels event state
 * events still need 50 and messages 0, as Synapse and ruma compute it, so that a room's creation
 * sequence authorises identically everywhere.
 */
export function requiredPowerLevel(type: string, isState: boolean, authState: StateLookup, version: RoomVersion): number {
  const content = powerLevelsContent(authState);
  const fallback = isState ? 50 : 0;
  if (!content) return fallback;
  const typeDefault = isState ? levelOr(content, "state_default", 50) : levelOr(content, "events_default", 0);
  const events = content["events"];
  return isObject(events) ? levelOr(events, type, typeDefault) : typeDefault;
}

type LevelMap = Map<string, number>;

/** Validates one map (`events`, `notifications`, `users`); undefined means the content is invalid. */
function parseLevelMap(value: JsonValue | undefined, version: RoomVersion, keysAreUsers: boolean): LevelMap | undefined {
  if (value === undefined) return new Map();
  if (!isObject(value)) return undefined;
  const out: LevelMap = new Map();
  for (const [key, raw] of Object.entries(value)) {
    if (keysAreUsers && !isValidUserId(key)) return undefined;
    const level = parsePowerLevel(raw, version);
    if (level === undefined) return undefined;
    out.set(key, level);
  }
  return out;
}

interface ParsedPowerLevels {
  named: Map<NamedLevel, number>;
  events: LevelMap;
  notifications: LevelMap;
  users: LevelMap;
}

/**
 * Reads every level in a power-levels content, or explains why it is malformed. The spec only
 * demands this of `users` before v10 and of everything from v10; we check every value in all
 * versions, as Synapse and ruma do, because levels we cannot read would break later checks.
 */
function parsePowerLevelsContent(content: JsonObject, version: RoomVersion): ParsedPowerLevels | string {
  const named = new Map<NamedLevel, number>();
  for (const name of NAMED_LEVELS) {
    if (!has(content, name)) continue;
    const level = parsePowerLevel(content[name], version);
    if (level === undefined) return `power level '${name}' is not an integer`;
    named.set(name, level);
  }
  const events = parseLevelMap(content["events"], version, false);
  if (!events) return "'events' must be an object of integer power levels";
  // Before v6 `notifications` plays no part in auth, so it is not judged there (Synapse agrees).
  const notifications = version.limitNotificationsPowerLevels
    ? parseLevelMap(content["notifications"], version, false)
    : new Map<string, number>();
  if (!notifications) return "'notifications' must be an object of integer power levels";
  const users = parseLevelMap(content["users"], version, true);
  if (!users) return "'users' must map valid user ids to integer power levels";
  return { named, events, notifications, users };
}

/** The current (already accepted) power levels, read leniently: unreadable entries count as absent. */
function readPowerLevelsContent(content: JsonObject): ParsedPowerLevels {
  const readMap = (value: JsonValue | undefined): LevelMap => {
    const out: LevelMap = new Map();
    if (isObject(value)) {
      for (const [key, raw] of Object.entries(value)) {
        const level = readPowerLevel(raw);
        if (level !== undefined) out.set(key, level);
      }
    }
    return out;
  };
  const named = new Map<NamedLevel, number>();
  for (const name of NAMED_LEVELS) {
    const level = readPowerLevel(content[name]);
    if (level !== undefined) named.set(name, level);
  }
  return { named, events: readMap(content["events"]), notifications: readMap(content["notifications"]), users: readMap(content["users"]) };
}

/** Rule "if type is m.room.power_levels", applied after the generic send-level checks. */
export function checkPowerLevelsEvent(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  const parsed = parsePowerLevelsContent(event.content, version);
  if (typeof parsed === "string") return reject(parsed);

  if (version.creatorsHavePrivilege) {
    // Creators' power is implied and immutable, so listing them is meaningless and forbidden.
    const create = authState.get(CREATE, "");
    if (create) {
      for (const creator of creatorsOf(create)) {
        if (parsed.users.has(creator)) return reject(`room creator ${creator} must not appear in 'users'`);
      }
    }
  }

  const previous = authState.get(POWER_LEVELS, "");
  if (!previous) return ALLOW;
  const oldLevels = readPowerLevelsContent(previous.content);

  const senderLevel = userPowerLevel(event.sender, authState, version);

  for (const name of NAMED_LEVELS) {
    const before = oldLevels.named.get(name);
    const after = parsed.named.get(name);
    if (before === after) continue;
    if (before !== undefined && before > senderLevel) return reject(`cannot change '${name}' from ${before}, above own level`);
    if (after !== undefined && after > senderLevel) return reject(`cannot set '${name}' to ${after}, above own level`);
  }

  const maps: Array<["events" | "notifications", LevelMap, LevelMap]> = [["events", oldLevels.events, parsed.events]];
  if (version.limitNotificationsPowerLevels) maps.push(["notifications", oldLevels.notifications, parsed.notifications]);
  for (const [name, before, after] of maps) {
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(key);
      const now = after.get(key);
      if (was === now) continue;
      if (was !== undefined && was > senderLevel) return reject(`cannot change ${name}['${key}'] from ${was}, above own level`);
      if (now !== undefined && now > senderLevel) return reject(`cannot set ${name}['${key}'] to ${now}, above own level`);
    }
  }

  for (const user of new Set([...oldLevels.users.keys(), ...parsed.users.keys()])) {
    const was = oldLevels.users.get(user);
    const now = parsed.users.get(user);
    if (was === now) continue;
    // Peers at your own level are protected from you; your own entry you may lower.
    if (user !== event.sender && was !== undefined && was >= senderLevel) {
      return reject(`cannot change the level of ${user}, which is not below own level`);
    }
    if (now !== undefined && now > senderLevel) return reject(`cannot give ${user} level ${now}, above own level`);
  }
  return ALLOW;
}
