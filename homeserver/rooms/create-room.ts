import { randomBytes } from "node:crypto";
import type { CoreContext } from "../core/core-context.js";
import { errors } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import type { Requester } from "../users/requester.js";
import type { AliasesStore } from "../storage/stores/aliases-store.js";
import { checkCreateRoom } from "./create-room-checks.js";
import type { CreateRoomRequest } from "./create-room-request.js";
import type { EventPersister, NewRoomEvent } from "./persist/event-persister.js";
import type { SendRemoteInvite } from "./remote/send-remote-invite.js";
import { defaultPowerLevels, presetState, type Preset } from "./room-presets.js";

export type { CreateRoomRequest } from "./create-room-request.js";

export interface CreateRoomDeps {
  core: CoreContext;
  persister: EventPersister;
  aliases: AliasesStore;
  memberContent(userId: string, membership: string): Promise<JsonObject>;
  /** Present once federation is composed: an invite to a user of another server goes through their server. */
  remoteInvites?: SendRemoteInvite;
}

/**
 * POST /createRoom, all or nothing: the create event, the creator's join, power levels, the alias, preset
 * and initial state, name and topic, then the invites, in the spec's order, written in one transaction.
 */
export async function createRoom(deps: CreateRoomDeps, requester: Requester, request: CreateRoomRequest): Promise<string> {
  const { core, persister } = deps;
  const creator = requester.userId;
  const { version, preset, invitees, alias, initialState } = await checkCreateRoom(
    { serverName: core.serverName, defaultRoomVersion: core.config.default_room_version, aliases: deps.aliases, canInviteRemoteUsers: deps.remoteInvites !== undefined },
    creator,
    request,
  );

  const createContent: JsonObject = { ...(request.creation_content ?? {}), room_version: version.id };
  if (version.createEventHasCreator) createContent.creator = creator;
  else delete createContent.creator;

  const events: NewRoomEvent[] = [];
  const send = (type: string, stateKey: string, content: JsonObject) => events.push({ draft: { type, stateKey, sender: creator, content } });

  send("m.room.member", creator, await deps.memberContent(creator, "join"));
  const trusted = preset === "trusted_private_chat" ? invitees : [];
  send("m.room.power_levels", "", { ...defaultPowerLevels(creator, version, preset, trusted), ...(request.power_level_content_override ?? {}) });
  if (alias) send("m.room.canonical_alias", "", { alias });
  // initial_state takes precedence over the preset's events (one event per state key).
  const state = new Map<string, { type: string; stateKey: string; content: JsonObject }>();
  for (const s of presetState(preset)) state.set(`${s.type}\u0000`, { type: s.type, stateKey: "", content: s.content });
  for (const s of initialState) state.set(`${s.type}\u0000${s.stateKey}`, s);
  for (const s of state.values()) send(s.type, s.stateKey, s.content);
  if (request.name !== undefined) send("m.room.name", "", { name: request.name });
  if (request.topic !== undefined) send("m.room.topic", "", { topic: request.topic });

  for (const invitee of invitees) {
    const content = await deps.memberContent(invitee, "invite");
    if (request.is_direct) content.is_direct = true;
    const remote = !invitee.endsWith(`:${core.serverName}`);
    const remoteInvites = deps.remoteInvites;
    events.push({
      draft: { type: "m.room.member", stateKey: invitee, sender: creator, content },
      // As POST /invite does: the invitee's server countersigns, and gets the room's stripped state.
      beforeWrite: remote && remoteInvites ? (pdu, room) => remoteInvites.countersign(room, invitee)(pdu) : undefined,
    });
  }

  const { roomId } = await persister.createRoom({
    version,
    createContent,
    creator,
    roomIdIfNotDerived: `!${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}:${core.serverName}`,
    directoryVisibility: request.visibility === "public" ? "public" : "private",
    events,
    alsoWrite: async (tx, roomId) => {
      if (alias && !(await deps.aliases.create(alias, roomId, creator, core.clock.now(), tx))) throw errors.roomInUse();
    },
  });
  return roomId;
}
