/**
 * Builds a large room with two forks of conflicting state, for the state resolution benchmark and
 * for tests that need more than the hand-written vectors. Every event cites the auth events the
 * auth rules select from its fork's state, so a correct resolver authorises them as a server would.
 */
import { stateKeyOf, type IdentifiedPdu, type JsonObject } from "../../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../../events/room-versions.js";
import type { EventSource, StateMap } from "../types.js";

export interface SyntheticRoomOptions {
  roomVersion: string;
  members: number;
  /** Conflicting state events per fork, split between power levels, topics, kicks and renames. */
  changesPerFork: number;
}

export interface SyntheticRoom {
  version: RoomVersion;
  events: Map<string, IdentifiedPdu>;
  source: EventSource;
  common: StateMap;
  forkA: StateMap;
  forkB: StateMap;
  /** The ids each state map received, in the order they were created (common first). */
  timelines: { common: string[]; forkA: string[]; forkB: string[] };
}

const SERVER = "example.org";
const user = (name: string) => `@${name}:${SERVER}`;

export function synthesiseForkedRoom(options: SyntheticRoomOptions): SyntheticRoom {
  const version = getRoomVersion(options.roomVersion);
  if (!version) throw new Error(`unknown room version ${options.roomVersion}`);
  const events = new Map<string, IdentifiedPdu>();
  const admin = user("admin");
  const modA = user("mod-a");
  const modB = user("mod-b");
  const createId = `$create-${options.roomVersion}`;
  const roomId = version.roomIdFromCreateEvent ? `!${createId.slice(1)}` : `!room:${SERVER}`;
  let clock = 1_700_000_000_000;
  let depth = 0;
  const timelineOf = new Map<StateMap, string[]>();
  const lastCommon = () => timelineOf.get(common)?.at(-1);

  const emit = (
    state: StateMap,
    id: string,
    type: string,
    stateKey: string,
    sender: string,
    content: JsonObject,
    authKeys: string[],
  ): IdentifiedPdu => {
    const authEvents: string[] = [];
    // v12 events never cite the create event: the room id stands for it.
    if (!version.roomIdFromCreateEvent && type !== "m.room.create") authEvents.push(createId);
    for (const key of authKeys) {
      const authId = state.get(key);
      if (authId !== undefined && !authEvents.includes(authId)) authEvents.push(authId);
    }
    // Each fork is a straight line; the first join's auth rule looks for the create as prev event.
    const previous = timelineOf.get(state)?.at(-1) ?? (state === common ? undefined : lastCommon());
    const event: IdentifiedPdu = {
      event_id: id,
      room_id: type === "m.room.create" && version.roomIdFromCreateEvent ? undefined : roomId,
      sender,
      type,
      state_key: stateKey,
      content,
      origin_server_ts: clock++,
      prev_events: previous === undefined ? [] : [previous],
      auth_events: authEvents,
      depth: ++depth,
    };
    if (event.room_id === undefined) delete event.room_id;
    events.set(id, event);
    state.set(stateKeyOf(type, stateKey), id);
    timelineOf.get(state)?.push(id);
    return event;
  };
  const plKey = stateKeyOf("m.room.power_levels", "");
  const jrKey = stateKeyOf("m.room.join_rules", "");
  const memberKey = (u: string) => stateKeyOf("m.room.member", u);

  const common: StateMap = new Map();
  timelineOf.set(common, []);
  const createContent: JsonObject = { room_version: options.roomVersion };
  if (version.createEventHasCreator) createContent.creator = admin;
  emit(common, createId, "m.room.create", "", admin, createContent, []);
  emit(common, "$join-admin", "m.room.member", admin, admin, { membership: "join" }, []);
  // v12 creators may not appear in `users`: their power is implicit and infinite.
  const baseUsers: JsonObject = version.creatorsHavePrivilege ? {} : { [admin]: 100 };
  const powerLevels = (users: JsonObject): JsonObject => ({
    users: { ...baseUsers, [modA]: 50, [modB]: 50, ...users },
    users_default: 0,
    state_default: 50,
    events_default: 0,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
  });
  emit(common, "$pl-0", "m.room.power_levels", "", admin, powerLevels({}), [memberKey(admin)]);
  emit(common, "$join-rules", "m.room.join_rules", "", admin, { join_rule: "public" }, [plKey, memberKey(admin)]);
  for (const mod of [modA, modB]) emit(common, `$join-${mod}`, "m.room.member", mod, mod, { membership: "join" }, [plKey, jrKey]);
  for (let i = 0; i < options.members; i++) {
    const u = user(`u${i}`);
    emit(common, `$join-u${i}`, "m.room.member", u, u, { membership: "join" }, [plKey, jrKey]);
  }

  const fork = (label: string, mod: string, firstMember: number): StateMap => {
    const state = new Map(common);
    timelineOf.set(state, []);
    const quarter = Math.max(1, Math.floor(options.changesPerFork / 4));
    let target = firstMember;
    for (let i = 0; i < quarter; i++) {
      // Power levels: the moderator raises ordinary users to 10, one at a time.
      const raised: JsonObject = {};
      for (let j = 0; j <= i; j++) raised[user(`u${firstMember + j}`)] = 10;
      emit(state, `$${label}-pl-${i}`, "m.room.power_levels", "", mod, powerLevels(raised), [plKey, memberKey(mod)]);
      emit(state, `$${label}-topic-${i}`, "m.room.topic", "", mod, { topic: `${label} ${i}` }, [plKey, memberKey(mod)]);
      // Kicks are power events; renames are ordinary member events, ordered by the mainline.
      const kicked = user(`u${options.members - 1 - (target - firstMember) - (label === "a" ? 0 : quarter)}`);
      emit(state, `$${label}-kick-${i}`, "m.room.member", kicked, mod, { membership: "leave" }, [
        plKey,
        memberKey(mod),
        memberKey(kicked),
      ]);
      const renamed = user(`u${target++}`);
      emit(state, `$${label}-rename-${i}`, "m.room.member", renamed, renamed, { membership: "join", displayname: `${label}${i}` }, [
        plKey,
        jrKey,
        memberKey(renamed),
      ]);
    }
    return state;
  };
  const forkA = fork("a", modA, 0);
  const forkB = fork("b", modB, Math.floor(options.members / 4));
  const timelines = { common: timelineOf.get(common)!, forkA: timelineOf.get(forkA)!, forkB: timelineOf.get(forkB)! };
  return { version, events, source: { get: (id) => events.get(id) }, common, forkA, forkB, timelines };
}
