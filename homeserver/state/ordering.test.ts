import { describe, expect, it } from "vitest";
import { stateKeyOf, type IdentifiedPdu, type JsonObject } from "../events/pdu.js";
import { requireRoomVersion } from "../events/room-versions.js";
import { authDifference, computeAuthChain, conflictedStateSubgraph } from "./auth-chain.js";
import { splitConflicted, splitConflictedV1 } from "./conflicts.js";
import { mainlineOf, mainlineSort } from "./mainline.js";
import { lexicographicalTopologicalSort, senderPowerLevel, sortPowerEvents } from "./power-ordering.js";
import { compareCodePoints, isPowerEvent, type EventSource } from "./types.js";

function store(...events: IdentifiedPdu[]): EventSource {
  const map = new Map(events.map((e) => [e.event_id, e]));
  return { get: (id) => map.get(id) };
}

function ev(
  id: string,
  type: string,
  stateKey: string,
  sender: string,
  content: JsonObject,
  auth: string[],
  ts = 0,
  roomId = "!r:x",
): IdentifiedPdu {
  return { event_id: id, room_id: roomId, type, state_key: stateKey, sender, content, auth_events: auth, prev_events: [], origin_server_ts: ts, depth: 0 };
}

const v9 = requireRoomVersion("9");
const v10 = requireRoomVersion("10");
const v12 = requireRoomVersion("12");
const create = ev("$create", "m.room.create", "", "@alice:x", { creator: "@alice:x", room_version: "10" }, []);

describe("reverse topological power ordering", () => {
  const flat = (power: Record<string, number>, ts: Record<string, number>) => (id: string) => ({
    power: power[id] ?? 0,
    originServerTs: ts[id] ?? 0,
  });

  it("puts every auth event before the events that cite it", () => {
    const graph = new Map([
      ["$c", ["$b"]],
      ["$b", ["$a"]],
      ["$a", []],
    ]);
    // $c has the most power, but may only come once its auth events are out.
    expect(lexicographicalTopologicalSort(graph, flat({ $c: 100 }, {}))).toEqual(["$a", "$b", "$c"]);
  });

  it("among ready events picks the greater sender power, then the smaller origin_server_ts, then the smaller id", () => {
    const graph = new Map<string, string[]>([
      ["$root", []],
      ["$low-early", ["$root"]],
      ["$high-late", ["$root"]],
      ["$low-late-a", ["$root"]],
      ["$low-late-b", ["$root"]],
    ]);
    const key = flat({ "$high-late": 100 }, { "$low-early": 1, "$high-late": 9, "$low-late-a": 5, "$low-late-b": 5 });
    expect(lexicographicalTopologicalSort(graph, key)).toEqual(["$root", "$high-late", "$low-early", "$low-late-a", "$low-late-b"]);
  });

  it("treats v12 creators' infinite power as outranking any number, and equal to itself", () => {
    const graph = new Map<string, string[]>([
      ["$x", []],
      ["$y", []],
      ["$z", []],
    ]);
    const key = flat({ $x: 1e9, $y: Infinity, $z: Infinity }, { $y: 2, $z: 1 });
    expect(lexicographicalTopologicalSort(graph, key)).toEqual(["$z", "$y", "$x"]);
  });

  it("counts a duplicated auth event once", () => {
    const graph = new Map([
      ["$a", []],
      ["$b", ["$a", "$a"]],
    ]);
    expect(lexicographicalTopologicalSort(graph, flat({}, {}))).toEqual(["$a", "$b"]);
  });

  it("only follows auth edges inside the full conflicted set when adding auth ancestors", () => {
    const join = ev("$join", "m.room.member", "@alice:x", "@alice:x", { membership: "join" }, ["$create"], 1);
    const pl = ev("$pl", "m.room.power_levels", "", "@alice:x", { users: { "@alice:x": 100 } }, ["$create", "$join"], 2);
    const kick = ev("$kick", "m.room.member", "@bob:x", "@alice:x", { membership: "leave" }, ["$create", "$pl", "$join"], 3);
    const events = store(create, join, pl, kick);
    expect(sortPowerEvents(["$kick"], new Set(["$kick", "$pl"]), v10, events)).toEqual(["$pl", "$kick"]);
  });
});

describe("sender power level from the event's own auth events", () => {
  const join = ev("$join", "m.room.member", "@alice:x", "@alice:x", { membership: "join" }, ["$create"]);
  const pl = ev("$pl", "m.room.power_levels", "", "@alice:x", { users: { "@alice:x": 100, "@bob:x": "42" }, users_default: 7 }, ["$create", "$join"]);

  it("reads users[sender], falling back to users_default", () => {
    const events = store(create, join, pl);
    expect(senderPowerLevel(ev("$1", "m.room.topic", "", "@alice:x", {}, ["$create", "$pl"]), v10, events)).toBe(100);
    expect(senderPowerLevel(ev("$2", "m.room.topic", "", "@carol:x", {}, ["$create", "$pl"]), v10, events)).toBe(7);
    // Room versions before 10 allow numeric strings; from 10 on they do not count.
    expect(senderPowerLevel(ev("$3", "m.room.topic", "", "@bob:x", {}, ["$create", "$pl"]), v9, events)).toBe(42);
    expect(senderPowerLevel(ev("$3", "m.room.topic", "", "@bob:x", {}, ["$create", "$pl"]), v10, events)).toBe(7);
  });

  it("gives the creator 100 and others 0 when no power levels event is cited", () => {
    const events = store(create);
    expect(senderPowerLevel(ev("$1", "m.room.member", "@alice:x", "@alice:x", {}, ["$create"]), v10, events)).toBe(100);
    expect(senderPowerLevel(ev("$2", "m.room.member", "@bob:x", "@bob:x", {}, ["$create"]), v10, events)).toBe(0);
  });

  it("gives v12 creators (sender and additional_creators, found through the room id) infinite power", () => {
    const create12 = ev("$c12", "m.room.create", "", "@alice:x", { room_version: "12", additional_creators: ["@dan:x"] }, []);
    delete create12.room_id;
    const pl12 = ev("$pl12", "m.room.power_levels", "", "@alice:x", { users: { "@bob:x": 50 } }, [], 0, "!c12");
    const events = store(create12, pl12);
    const by = (sender: string) => ev(`$by-${sender}`, "m.room.topic", "", sender, {}, ["$pl12"], 0, "!c12");
    expect(senderPowerLevel(by("@alice:x"), v12, events)).toBe(Infinity);
    expect(senderPowerLevel(by("@dan:x"), v12, events)).toBe(Infinity);
    expect(senderPowerLevel(by("@bob:x"), v12, events)).toBe(50);
  });
});

describe("mainline ordering", () => {
  const pl0 = ev("$pl0", "m.room.power_levels", "", "@alice:x", {}, ["$create"], 10);
  const pl1 = ev("$pl1", "m.room.power_levels", "", "@alice:x", {}, ["$create", "$pl0"], 20);
  const pl2 = ev("$pl2", "m.room.power_levels", "", "@alice:x", {}, ["$create", "$pl1"], 30);
  const offMainline = ev("$plx", "m.room.power_levels", "", "@alice:x", {}, ["$create", "$pl0"], 25);
  const topic = (id: string, pl: string | undefined, ts: number) =>
    ev(id, "m.room.topic", "", "@alice:x", {}, pl ? ["$create", pl] : ["$create"], ts);
  const events = store(create, pl0, pl1, pl2, offMainline, topic("$on2", "$pl2", 1), topic("$on1", "$pl1", 2),
    topic("$on0", "$pl0", 3), topic("$none", undefined, 4), topic("$viaX", "$plx", 0), topic("$on1b", "$pl1", 2));

  it("walks the power levels chain from P0 back to the first power levels event", () => {
    expect([...mainlineOf("$pl2", events)]).toEqual([["$pl2", 0], ["$pl1", 1], ["$pl0", 2]]);
  });

  it("orders by older mainline base first, then origin_server_ts, then event id", () => {
    const sorted = mainlineSort(["$on2", "$on1b", "$viaX", "$on1", "$none", "$on0"], "$pl2", events);
    // $none cites no power levels (position ∞); $viaX meets the mainline at $pl0 through $plx.
    expect(sorted).toEqual(["$none", "$viaX", "$on0", "$on1", "$on1b", "$on2"]);
  });

  it("without a resolved power levels event orders by origin_server_ts alone", () => {
    expect(mainlineSort(["$on0", "$on2", "$viaX"], undefined, events)).toEqual(["$viaX", "$on2", "$on0"]);
  });
});

describe("conflicts, auth chains and the conflicted state subgraph", () => {
  const k = (t: string, s = "") => stateKeyOf(t, s);

  it("v2 treats a key missing from one state set as conflicted; v1 does not", () => {
    const a = new Map([[k("m.room.topic"), "$t1"], [k("m.room.name"), "$n"]]);
    const b = new Map([[k("m.room.topic"), "$t2"]]);
    const v2 = splitConflicted([a, b]);
    expect([...v2.unconflicted]).toEqual([]);
    expect(v2.conflicted.get(k("m.room.name"))).toEqual(new Set(["$n"]));
    expect(v2.conflicted.get(k("m.room.topic"))).toEqual(new Set(["$t1", "$t2"]));
    const v1 = splitConflictedV1([a, b]);
    expect([...v1.unconflicted]).toEqual([[k("m.room.name"), "$n"]]);
  });

  // $a <- $b <- $c <- $d, and $a <- $x (auth edges point left).
  const a = ev("$a", "m.room.create", "", "@u:x", {}, []);
  const b = ev("$b", "m.room.member", "@u:x", "@u:x", {}, ["$a"]);
  const c = ev("$c", "m.room.power_levels", "", "@u:x", {}, ["$a", "$b"]);
  const d = ev("$d", "m.room.topic", "", "@u:x", {}, ["$a", "$c"]);
  const x = ev("$x", "m.room.name", "", "@u:x", {}, ["$a"]);
  const events = store(a, b, c, d, x);

  it("computes the auth chain without the starting events", () => {
    expect(computeAuthChain(["$d"], events)).toEqual(new Set(["$a", "$b", "$c"]));
  });

  it("the auth difference is the union minus the intersection of the sets' auth chains", () => {
    const s1 = new Map([[k("m.room.topic"), "$d"]]);
    const s2 = new Map([[k("m.room.name"), "$x"]]);
    expect(authDifference([s1, s2], new Map(), events)).toEqual(new Set(["$b", "$c"]));
  });

  it("the conflicted subgraph holds every event on an auth path between conflicted events", () => {
    expect(conflictedStateSubgraph(new Set(["$d", "$b"]), events)).toEqual(new Set(["$d", "$c", "$b"]));
    // Nothing lies between two events with no auth path between them.
    expect(conflictedStateSubgraph(new Set(["$d", "$x"]), events)).toEqual(new Set());
  });
});

describe("helpers", () => {
  it("compares event ids by code point, not UTF-16 unit", () => {
    expect(compareCodePoints("\u{1F600}", "\uFFFF")).toBeGreaterThan(0);
    expect(compareCodePoints("$a", "$b")).toBeLessThan(0);
    expect(compareCodePoints("$a", "$a")).toBe(0);
  });

  it("power events are power levels, join rules, create, and kicks or bans by someone else", () => {
    expect(isPowerEvent(ev("$1", "m.room.member", "@b:x", "@a:x", { membership: "ban" }, []))).toBe(true);
    expect(isPowerEvent(ev("$2", "m.room.member", "@a:x", "@a:x", { membership: "leave" }, []))).toBe(false);
    expect(isPowerEvent(ev("$3", "m.room.join_rules", "", "@a:x", {}, []))).toBe(true);
    expect(isPowerEvent(ev("$4", "m.room.topic", "", "@a:x", {}, []))).toBe(false);
  });
});
