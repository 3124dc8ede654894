import type { HierarchyRoomSummary, SpaceChildState, SpaceHierarchyRoom } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import type { JsonObject } from "../../events/pdu.js";
import { compareChildren, isSuggested, viaOf } from "./space-children.js";

/** What the core asks of other servers about spaces they hold; federation/ implements it. */
export interface RemoteHierarchy {
  /** GET /_matrix/federation/v1/hierarchy/{roomId} on `destination`: the raw answer, which the caller checks. */
  hierarchy(destination: string, roomId: string, suggestedOnly: boolean): Promise<unknown>;
}

/** Another server's answer, checked and reduced to the fields the spec defines. */
export interface RemoteSpace {
  room: SpaceHierarchyRoom;
  /** The children it summarised, by room id (they carry no children of their own). */
  children: Map<string, HierarchyRoomSummary>;
  /** Children it says no server can reach: not asked about again. */
  inaccessible: Set<string>;
}

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

const OPTIONAL_STRINGS = ["name", "topic", "join_rule", "room_type", "room_version"] as const;

/**
 * A summary from another server, kept only when it names its room and holding only what the spec defines,
 * each of the right type: what we pass on to our clients must match the spec whatever the peer sent.
 */
export function checkRemoteSummary(value: unknown): HierarchyRoomSummary | undefined {
  if (!isObject(value) || typeof value.room_id !== "string" || !value.room_id.startsWith("!")) return undefined;
  const members = value.num_joined_members;
  const summary: HierarchyRoomSummary = {
    room_id: value.room_id,
    num_joined_members: typeof members === "number" && Number.isSafeInteger(members) && members >= 0 ? members : 0,
    world_readable: value.world_readable === true,
    guest_can_join: value.guest_can_join === true,
  };
  for (const key of OPTIONAL_STRINGS) {
    const field = value[key];
    if (typeof field === "string") summary[key] = field;
  }
  if (typeof value.canonical_alias === "string" && value.canonical_alias.startsWith("#")) summary.canonical_alias = value.canonical_alias;
  if (typeof value.avatar_url === "string" && value.avatar_url.startsWith("mxc://")) summary.avatar_url = value.avatar_url;
  if (value.encryption === "m.megolm.v1.aes-sha2") summary.encryption = value.encryption;
  if (Array.isArray(value.allowed_room_ids)) {
    const allowed = value.allowed_room_ids.filter((id): id is string => typeof id === "string");
    if (allowed.length > 0) summary.allowed_room_ids = allowed;
  }
  return summary;
}

function checkChildState(value: unknown): SpaceChildState | undefined {
  if (!isObject(value) || value.type !== "m.space.child") return undefined;
  const { state_key: stateKey, content, sender, origin_server_ts: ts } = value;
  if (typeof stateKey !== "string" || !stateKey.startsWith("!") || typeof sender !== "string" || !sender.startsWith("@")) return undefined;
  if (!isObject(content) || !viaOf(content) || typeof ts !== "number" || !Number.isSafeInteger(ts)) return undefined;
  return { type: "m.space.child", state_key: stateKey, content, sender, origin_server_ts: ts };
}

/** Checks another server's GET /hierarchy answer for `roomId`; undefined when it is not one. */
export function checkRemoteSpace(value: unknown, roomId: string, suggestedOnly: boolean): RemoteSpace | undefined {
  if (!isObject(value) || !isObject(value.room)) return undefined;
  const summary = checkRemoteSummary(value.room);
  if (!summary || summary.room_id !== roomId) return undefined;
  const rawChildren = Array.isArray(value.room.children_state) ? value.room.children_state : [];
  const childrenState = rawChildren
    .map(checkChildState)
    .filter((child): child is SpaceChildState => child !== undefined && (!suggestedOnly || isSuggested(child)))
    .sort(compareChildren);
  const children = new Map<string, HierarchyRoomSummary>();
  for (const child of Array.isArray(value.children) ? value.children : []) {
    const checked = checkRemoteSummary(child);
    if (checked) children.set(checked.room_id, checked);
  }
  const inaccessible = new Set(
    (Array.isArray(value.inaccessible_children) ? value.inaccessible_children : []).filter((id): id is string => typeof id === "string"),
  );
  return { room: { ...summary, children_state: childrenState }, children, inaccessible };
}
