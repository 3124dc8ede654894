import { parsePowerLevel } from "../events/auth-rules/index.js";
import type { IdentifiedPdu } from "../events/pdu.js";
import type { RoomVersion } from "../events/room-versions.js";
import { authEventIds } from "./auth-chain.js";
import { MinHeap } from "./heap.js";
import { compareCodePoints, type EventSource } from "./types.js";

/** What the reverse topological power ordering compares once the DAG allows a choice. */
export interface PowerSortKey {
  /** The sender's power level per the event's own auth events; Infinity for v12 room creators. */
  power: number;
  originServerTs: number;
}

/**
 * The id of a v12 room's create event, which the room id is derived from (`!` + reference hash);
 * v12 events do not cite the create event in `auth_events`.
 */
export function createEventIdFromRoomId(roomId: string | undefined): string | undefined {
  return roomId !== undefined && roomId.startsWith("!") ? `$${roomId.slice(1)}` : undefined;
}

/** The room creators a create event names: `creator` up to v10, the sender (+ v12 additional_creators) after. */
export function roomCreators(create: IdentifiedPdu, version: RoomVersion): Set<string> {
  const creators = new Set<string>();
  if (version.createEventHasCreator) {
    const creator = create.content?.creator;
    if (typeof creator === "string") creators.add(creator);
    return creators;
  }
  creators.add(create.sender);
  const additional = create.content?.additional_creators;
  if (version.creatorsHavePrivilege && Array.isArray(additional)) {
    for (const user of additional) if (typeof user === "string") creators.add(user);
  }
  return creators;
}

/**
 * The power level of an event's sender "when looking at its auth events" (not the room state): the
 * power levels event it cites, else the pre-power-levels default of 100 for the creator and 0 for
 * everyone else. Room v12 creators outrank everyone, whatever the power levels say.
 */
export function senderPowerLevel(event: IdentifiedPdu, version: RoomVersion, events: EventSource): number {
  let powerLevels: IdentifiedPdu | undefined;
  let create: IdentifiedPdu | undefined;
  if (event.type === "m.room.create" && event.state_key === "") create = event;
  for (const id of authEventIds(event)) {
    const auth = events.get(id);
    if (!auth || auth.state_key !== "") continue;
    if (auth.type === "m.room.power_levels") powerLevels ??= auth;
    else if (auth.type === "m.room.create") create ??= auth;
  }
  if (!create && version.roomIdFromCreateEvent) {
    const createId = createEventIdFromRoomId(event.room_id);
    if (createId !== undefined) create = events.get(createId);
  }
  const creators = create ? roomCreators(create, version) : undefined;
  if (version.creatorsHavePrivilege && creators?.has(event.sender)) return Infinity;
  if (powerLevels) {
    const content = powerLevels.content ?? {};
    const users = content.users;
    // Read values the way the auth rules do, so both agree on stringy (v1–v9) levels.
    const usersDefault = parsePowerLevel(content.users_default, version) ?? 0;
    if (users && typeof users === "object" && !Array.isArray(users) && Object.hasOwn(users, event.sender)) {
      return parsePowerLevel(users[event.sender], version) ?? usersDefault;
    }
    return usersDefault;
  }
  return creators?.has(event.sender) ? 100 : 0;
}

function comparePowerOrder(a: PowerSortKey, aId: string, b: PowerSortKey, bId: string): number {
  // Higher power sorts earlier; Infinity (v12 creators) compares equal to itself, so no subtraction.
  if (a.power !== b.power) return a.power > b.power ? -1 : 1;
  if (a.originServerTs !== b.originServerTs) return a.originServerTs < b.originServerTs ? -1 : 1;
  return compareCodePoints(aId, bId);
}

/**
 * Kahn's algorithm over an auth DAG (`graph`: event -> its auth events inside the graph), taking
 * at each step the smallest ready event: the lexicographically smallest topological order, earliest
 * events first. `keyOf` is called once per vertex.
 */
export function lexicographicalTopologicalSort(
  graph: ReadonlyMap<string, Iterable<string>>,
  keyOf: (eventId: string) => PowerSortKey,
): string[] {
  const keys = new Map<string, PowerSortKey>();
  const pending = new Map<string, number>();
  const citedBy = new Map<string, string[]>();
  for (const [id, auths] of graph) {
    keys.set(id, keyOf(id));
    // Duplicate auth_events entries must count once, or the vertex would never become ready.
    const distinct = new Set<string>();
    for (const a of auths) if (graph.has(a) && a !== id) distinct.add(a);
    pending.set(id, distinct.size);
    for (const a of distinct) {
      let list = citedBy.get(a);
      if (!list) citedBy.set(a, (list = []));
      list.push(id);
    }
  }
  const heap = new MinHeap<string>((x, y) => comparePowerOrder(keys.get(x)!, x, keys.get(y)!, y));
  for (const [id, count] of pending) if (count === 0) heap.push(id);
  const sorted: string[] = [];
  for (let id = heap.pop(); id !== undefined; id = heap.pop()) {
    sorted.push(id);
    for (const child of citedBy.get(id) ?? []) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) heap.push(child);
    }
  }
  // Events caught in an auth cycle (impossible for valid events) never become ready; dropping them
  // is safer than letting a forged loop decide the order.
  return sorted;
}

/**
 * Step 1 of state res v2: the power events of the full conflicted set together with the parts of
 * their auth chains inside the full conflicted set, in reverse topological power ordering.
 *
 * Like Synapse and ruma, the walk only follows auth edges that stay inside the full conflicted set.
 */
export function sortPowerEvents(
  powerEvents: Iterable<string>,
  fullConflicted: ReadonlySet<string>,
  version: RoomVersion,
  events: EventSource,
): string[] {
  const graph = new Map<string, string[]>();
  const stack = [...powerEvents];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (graph.has(id)) continue;
    const event = events.get(id);
    if (!event) continue;
    const inSet = authEventIds(event).filter((a) => fullConflicted.has(a) && events.get(a) !== undefined);
    graph.set(id, inSet);
    for (const a of inSet) if (!graph.has(a)) stack.push(a);
  }
  return lexicographicalTopologicalSort(graph, (id) => {
    const event = events.get(id)!;
    return { power: senderPowerLevel(event, version, events), originServerTs: event.origin_server_ts };
  });
}
