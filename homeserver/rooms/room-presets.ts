import type { JsonObject } from "../events/pdu.js";
import type { RoomVersion } from "../events/room-versions.js";

export type Preset = "private_chat" | "trusted_private_chat" | "public_chat";

/** State each preset implies, as the spec's createRoom table lists it. */
export function presetState(preset: Preset): Array<{ type: string; content: JsonObject }> {
  const joinRule = preset === "public_chat" ? "public" : "invite";
  const guestAccess = preset === "public_chat" ? "forbidden" : "can_join";
  return [
    { type: "m.room.join_rules", content: { join_rule: joinRule } },
    { type: "m.room.history_visibility", content: { history_visibility: "shared" } },
    { type: "m.room.guest_access", content: { guest_access: guestAccess } },
  ];
}

/** Synapse's default power levels, so rooms behave the same for clients whichever server made them. */
export function defaultPowerLevels(creator: string, version: RoomVersion, preset: Preset, trustedInvitees: string[]): JsonObject {
  const users: JsonObject = {};
  // In v12 creators have unlimited power and must not be listed in `users`.
  if (!version.creatorsHavePrivilege) users[creator] = 100;
  for (const invitee of trustedInvitees) users[invitee] = 100;
  return {
    users,
    users_default: 0,
    events: {
      "m.room.name": 50,
      "m.room.power_levels": 100,
      "m.room.history_visibility": 100,
      "m.room.canonical_alias": 50,
      "m.room.avatar": 50,
      "m.room.tombstone": 100,
      "m.room.server_acl": 100,
      "m.room.encryption": 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    // Private rooms let any member invite; public ones keep invites for moderators, as Synapse does.
    invite: preset === "public_chat" ? 50 : 0,
    historical: 100,
    notifications: { room: 50 },
  };
}
