import { errors } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../events/room-versions.js";
import type { AliasesStore } from "../storage/stores/aliases-store.js";
import type { CreateRoomRequest } from "./create-room-request.js";
import type { Preset } from "./room-presets.js";

/** What a createRoom request asks for, once everything that can be checked before writing has been. */
export interface CheckedCreateRoom {
  version: RoomVersion;
  preset: Preset;
  invitees: string[];
  alias: string | undefined;
  initialState: Array<{ type: string; stateKey: string; content: JsonObject }>;
}

export interface CreateRoomCheckDeps {
  serverName: string;
  defaultRoomVersion: string;
  aliases: AliasesStore;
  /** Whether users of other servers can be invited (federation is composed). */
  canInviteRemoteUsers: boolean;
}

const ALIAS_LOCALPART = /^[^:\s#]+$/;
const USER_ID = /^@[^:]+:.+$/;
/** The spec's limit on room aliases, sigil and server name included. */
const MAX_ALIAS_BYTES = 255;
const PRESETS: readonly Preset[] = ["private_chat", "trusted_private_chat", "public_chat"];

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Everything about a createRoom request that can be refused without writing: room creation is all or
 * nothing, and the spec's errors (M_BAD_JSON, M_INVALID_PARAM, M_ROOM_IN_USE, M_UNSUPPORTED_ROOM_VERSION)
 * are clearer than an auth failure halfway. What only the auth rules can judge is judged on the built
 * events, still before anything is written (EventPersister.createRoom).
 */
export async function checkCreateRoom(deps: CreateRoomCheckDeps, creator: string, request: CreateRoomRequest): Promise<CheckedCreateRoom> {
  if (!isObject(request as unknown)) throw errors.badJson("The request body must be a JSON object");
  const versionId = request.room_version ?? deps.defaultRoomVersion;
  if (typeof versionId !== "string") throw errors.badJson("room_version must be a string");
  const version = getRoomVersion(versionId);
  if (!version) throw errors.unsupportedRoomVersion(versionId);

  for (const key of ["name", "topic", "room_alias_name"] as const) {
    if (request[key] !== undefined && typeof request[key] !== "string") throw errors.badJson(`${key} must be a string`);
  }
  for (const key of ["creation_content", "power_level_content_override"] as const) {
    if (request[key] !== undefined && !isObject(request[key])) throw errors.badJson(`${key} must be a JSON object`);
  }
  if (request.preset !== undefined && !PRESETS.includes(request.preset)) throw errors.badJson(`preset must be one of ${PRESETS.join(", ")}`);
  if (request.visibility !== undefined && request.visibility !== "public" && request.visibility !== "private") {
    throw errors.badJson("visibility must be public or private");
  }
  if (request.is_direct !== undefined && typeof request.is_direct !== "boolean") throw errors.badJson("is_direct must be a boolean");

  const invitees = checkInvites(deps, creator, request);
  const alias = await checkAlias(deps, request.room_alias_name);
  const initialState = checkInitialState(deps, request.initial_state, alias);
  checkPowerLevelOverride(version, creator, request.power_level_content_override);

  const preset: Preset = request.preset ?? (request.visibility === "public" ? "public_chat" : "private_chat");
  return { version, preset, invitees, alias, initialState };
}

function checkInvites(deps: CreateRoomCheckDeps, creator: string, request: CreateRoomRequest): string[] {
  if (request.invite !== undefined && !Array.isArray(request.invite)) throw errors.badJson("invite must be a list of user ids");
  const invitees = [...new Set(request.invite ?? [])];
  for (const invitee of invitees) {
    if (typeof invitee !== "string" || !USER_ID.test(invitee)) throw errors.invalidParam(`Invalid user id in invite: ${String(invitee)}`);
    if (invitee === creator) throw errors.invalidParam("The room's creator cannot be invited to it");
    if (!deps.canInviteRemoteUsers && !invitee.endsWith(`:${deps.serverName}`)) throw errors.forbidden("Inviting users of other servers is not available");
  }
  const thirdParty = request.invite_3pid;
  if (thirdParty !== undefined && !Array.isArray(thirdParty)) throw errors.badJson("invite_3pid must be a list");
  // Third-party invites need an identity server, which this server does not talk to.
  if (thirdParty && thirdParty.length > 0) throw errors.invalidParam("Third-party invites (invite_3pid) are not supported by this server");
  return invitees;
}

async function checkAlias(deps: CreateRoomCheckDeps, localpart: string | undefined): Promise<string | undefined> {
  if (localpart === undefined) return undefined;
  if (!ALIAS_LOCALPART.test(localpart)) throw errors.invalidParam("room_alias_name must be the alias's local part, without ':', '#' or whitespace");
  const alias = `#${localpart}:${deps.serverName}`;
  if (Buffer.byteLength(alias) > MAX_ALIAS_BYTES) throw errors.invalidParam(`The room alias would be over ${MAX_ALIAS_BYTES} bytes`);
  // Checked again when the alias is written, in the room's transaction: a concurrent creation may take it.
  if (await deps.aliases.resolve(alias)) throw errors.roomInUse();
  return alias;
}

function checkInitialState(deps: CreateRoomCheckDeps, entries: unknown, alias: string | undefined): CheckedCreateRoom["initialState"] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw errors.badJson("initial_state must be a list");
  return entries.map((entry, i) => {
    if (!isObject(entry) || typeof entry.type !== "string") throw errors.badJson(`initial_state[${i}] must be an object with a string type`);
    if (entry.state_key !== undefined && typeof entry.state_key !== "string") throw errors.badJson(`initial_state[${i}].state_key must be a string`);
    if (!isObject(entry.content)) throw errors.badJson(`initial_state[${i}].content must be a JSON object`);
    if (entry.type === "m.room.canonical_alias") checkCanonicalAliasContent(deps, entry.content, alias);
    return { type: entry.type, stateKey: entry.state_key ?? "", content: entry.content };
  });
}

/** As for any m.room.canonical_alias sent here: our aliases in it must point to this room, and only the new one can. */
function checkCanonicalAliasContent(deps: CreateRoomCheckDeps, content: JsonObject, alias: string | undefined): void {
  const listed = [content.alias, ...(Array.isArray(content.alt_aliases) ? content.alt_aliases : [])].filter((a) => a !== undefined && a !== null);
  for (const entry of listed) {
    if (typeof entry !== "string" || !entry.startsWith("#")) throw errors.invalidParam("Invalid alias in m.room.canonical_alias");
    if (entry.endsWith(`:${deps.serverName}`) && entry !== alias) throw errors.badAlias(`${entry} does not point to this room`);
  }
}

/** Synapse's check: before v12 the creator's power comes from `users`, so an override that drops them is a mistake. */
function checkPowerLevelOverride(version: RoomVersion, creator: string, override: JsonObject | undefined): void {
  if (!override || version.creatorsHavePrivilege || override.users === undefined) return;
  if (!isObject(override.users) || !(creator in override.users)) {
    throw errors.invalidParam(`Not a valid power_level_content_override: 'users' does not contain ${creator}`);
  }
}
