import type { StoredEvent } from "../storage/stores/events-store.js";
import { strippedState, type StrippedStateEvent } from "../rooms/read-formatting.js";
import type { InvitedRoomJson, KnockedRoomJson } from "../../schemas/client/sync/get-sync.js";
import type { SyncDeps } from "./sync-context.js";

/** The spec's list of state to give an invitee or knocker enough context to decide whether to join. */
const STRIPPED_STATE_KEYS = [
  ["m.room.create", ""],
  ["m.room.name", ""],
  ["m.room.avatar", ""],
  ["m.room.topic", ""],
  ["m.room.join_rules", ""],
  ["m.room.canonical_alias", ""],
  ["m.room.encryption", ""],
] as const;

/**
 * Stripped state at the user's invite or knock: the room's descriptive state, the membership of whoever
 * sent it, and the membership event itself (last, as clients look for it there).
 */
async function strippedStateAt(deps: SyncDeps, membershipEvent: StoredEvent): Promise<StrippedStateEvent[]> {
  // An invite from another server to a room we are not in carries the room's stripped state with it.
  const carried = membershipEvent.unsigned?.invite_room_state;
  if (Array.isArray(carried)) return [...(carried as StrippedStateEvent[]), strippedState(membershipEvent)];
  const group = membershipEvent.stateGroupBefore;
  const keys = [...STRIPPED_STATE_KEYS, ["m.room.member", membershipEvent.pdu.sender] as const];
  const found = (await deps.reads.reader.keysAt([group], keys)).get(group)!;
  const ids = [...found.values()].filter((id) => id !== membershipEvent.pdu.event_id);
  const events = await deps.reads.reader.eventsInOrder(ids);
  return [...events, membershipEvent].map(strippedState);
}

export async function inviteSection(deps: SyncDeps, invite: StoredEvent): Promise<InvitedRoomJson> {
  return { invite_state: { events: await strippedStateAt(deps, invite) } };
}

export async function knockSection(deps: SyncDeps, knock: StoredEvent): Promise<KnockedRoomJson> {
  return { knock_state: { events: await strippedStateAt(deps, knock) } };
}
