import { randomBytes } from "node:crypto";
import type { CoreContext } from "../app/core-context.js";
import { errors } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import { DEFAULT_ROOM_VERSION, getRoomVersion } from "../events/room-versions.js";
import type { Requester } from "../users/requester.js";
import type { EventPersister } from "./persist-events.js";
import { defaultPowerLevels, presetState, type Preset } from "./room-presets.js";
import type { AliasesStore } from "../storage/stores/aliases-store.js";

export interface CreateRoomRequest {
  visibility?: "public" | "private";
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  room_version?: string;
  creation_content?: JsonObject;
  initial_state?: Array<{ type: string; state_key?: string; content: JsonObject }>;
  preset?: Preset;
  is_direct?: boolean;
  power_level_content_override?: JsonObject;
}

export interface CreateRoomDeps {
  core: CoreContext;
  persister: EventPersister;
  aliases: AliasesStore;
  memberContent(userId: string, membership: string): Promise<JsonObject>;
}

const ALIAS_LOCALPART = /^[^:\s#]+$/;

/** POST /createRoom: the create event, the creator's join, power levels, preset state, then the extras. */
export async function createRoom(deps: CreateRoomDeps, requester: Requester, request: CreateRoomRequest): Promise<string> {
  const { core, persister } = deps;
  const versionId = request.room_version ?? DEFAULT_ROOM_VERSION;
  const version = getRoomVersion(versionId);
  if (!version) throw errors.unsupportedRoomVersion(versionId);
  const invitees = [...new Set(request.invite ?? [])];
  for (const invitee of invitees) {
    if (!/^@[^:]+:.+$/.test(invitee)) throw errors.invalidParam(`Invalid user id in invite: ${invitee}`);
  }
  let alias: string | undefined;
  if (request.room_alias_name !== undefined) {
    if (!ALIAS_LOCALPART.test(request.room_alias_name)) throw errors.invalidParam("Invalid room_alias_name");
    alias = `#${request.room_alias_name}:${core.serverName}`;
    if (await deps.aliases.resolve(alias)) throw errors.roomInUse();
  }

  const createContent: JsonObject = { ...(request.creation_content ?? {}), room_version: version.id };
  if (version.createEventHasCreator) createContent.creator = requester.userId;
  else delete createContent.creator;

  const provisionalId = `!${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}:${core.serverName}`;
  const { roomId } = await persister.createRoom(version, createContent, requester.userId, provisionalId);
  const send = (type: string, stateKey: string, content: JsonObject) =>
    persister.persistLocal(roomId, { type, stateKey, sender: requester.userId, content });

  await send("m.room.member", requester.userId, await deps.memberContent(requester.userId, "join"));

  const preset: Preset = request.preset ?? (request.visibility === "public" ? "public_chat" : "private_chat");
  const trusted = preset === "trusted_private_chat" ? invitees : [];
  const powerLevels = { ...defaultPowerLevels(requester.userId, version, preset, trusted), ...(request.power_level_content_override ?? {}) };
  await send("m.room.power_levels", "", powerLevels);
  if (alias) await send("m.room.canonical_alias", "", { alias });

  const initialState = new Map<string, { type: string; stateKey: string; content: JsonObject }>();
  for (const s of presetState(preset)) initialState.set(`${s.type}\u0000`, { type: s.type, stateKey: "", content: s.content });
  for (const s of request.initial_state ?? []) {
    initialState.set(`${s.type}\u0000${s.state_key ?? ""}`, { type: s.type, stateKey: s.state_key ?? "", content: s.content });
  }
  for (const s of initialState.values()) await send(s.type, s.stateKey, s.content);
  if (request.name !== undefined) await send("m.room.name", "", { name: request.name });
  if (request.topic !== undefined) await send("m.room.topic", "", { topic: request.topic });

  if (alias && !(await deps.aliases.create(alias, roomId, requester.userId, core.clock.now()))) throw errors.roomInUse();
  if (request.visibility === "public") await persister.rooms.setDirectoryVisibility(roomId, "public");

  for (const invitee of invitees) {
    const content: JsonObject = { membership: "invite" };
    if (request.is_direct) content.is_direct = true;
    await persister.persistLocal(roomId, { type: "m.room.member", stateKey: invitee, sender: requester.userId, content });
  }
  return roomId;
}
