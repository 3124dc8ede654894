import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { stateKeyOf, type IdentifiedPdu, type JsonObject } from "../events/pdu.js";
import { requireRoomVersion } from "../events/room-versions.js";
import { resolveState } from "./index.js";
import type { StateMap } from "./types.js";

const v1 = requireRoomVersion("1");
const ROOM = "!room:x";
const all = new Map<string, IdentifiedPdu>();
const events = { get: (id: string) => all.get(id) };

function ev(id: string, type: string, stateKey: string, sender: string, content: JsonObject, auth: string[], depth: number, prev: string[] = []): string {
  all.set(id, {
    event_id: id,
    room_id: ROOM,
    type,
    state_key: stateKey,
    sender,
    content,
    // v1 references are [id, hashes] pairs; the resolver must read them too.
    auth_events: auth.map((a) => [a, { sha256: "x" }]),
    prev_events: prev.map((p) => [p, { sha256: "x" }]),
    origin_server_ts: depth,
    depth,
  });
  return id;
}

const key = (type: string, stateKey = "") => stateKeyOf(type, stateKey);
const alice = "@alice:x";
const bob = "@bob:x";

ev("$create:x", "m.room.create", "", alice, { creator: alice }, [], 1);
ev("$join-alice:x", "m.room.member", alice, alice, { membership: "join" }, ["$create:x"], 2, ["$create:x"]);
ev("$pl:x", "m.room.power_levels", "", alice, { users: { [alice]: 100 } }, ["$create:x", "$join-alice:x"], 3);
ev("$jr:x", "m.room.join_rules", "", alice, { join_rule: "public" }, ["$create:x", "$pl:x", "$join-alice:x"], 4);
ev("$join-bob:x", "m.room.member", bob, bob, { membership: "join" }, ["$create:x", "$pl:x", "$jr:x"], 5);
const base: StateMap = new Map([
  [key("m.room.create"), "$create:x"],
  [key("m.room.member", alice), "$join-alice:x"],
  [key("m.room.power_levels"), "$pl:x"],
  [key("m.room.join_rules"), "$jr:x"],
  [key("m.room.member", bob), "$join-bob:x"],
]);
const auth = ["$create:x", "$pl:x", "$join-alice:x"];
// Fork A: alice raises bob, sets a topic. Fork B: alice changes the power levels again (deeper),
// and bob, powerless there, tries a deeper topic.
ev("$pl-a:x", "m.room.power_levels", "", alice, { users: { [alice]: 100, [bob]: 10 } }, auth, 6);
ev("$topic-a:x", "m.room.topic", "", alice, { topic: "A" }, ["$create:x", "$pl-a:x", "$join-alice:x"], 7);
ev("$pl-b:x", "m.room.power_levels", "", alice, { users: { [alice]: 100, [bob]: 20 } }, auth, 8);
ev("$topic-b:x", "m.room.topic", "", bob, { topic: "B" }, ["$create:x", "$pl-b:x", "$join-bob:x"], 9);
ev("$name-b:x", "m.room.name", "", alice, { name: "only in B" }, ["$create:x", "$pl-b:x", "$join-alice:x"], 10);

const forkA = new Map([...base, [key("m.room.power_levels"), "$pl-a:x"], [key("m.room.topic"), "$topic-a:x"]]);
const forkB = new Map([
  ...base,
  [key("m.room.power_levels"), "$pl-b:x"],
  [key("m.room.topic"), "$topic-b:x"],
  [key("m.room.name"), "$name-b:x"],
]);

describe("state resolution v1 (room version 1)", () => {
  const resolved = resolveState(v1, [forkA, forkB], events);

  it("keeps a key only one state set holds: in v1 a missing key is no conflict", () => {
    expect(resolved.get(key("m.room.name"))).toBe("$name-b:x");
  });

  it("replays conflicting power levels from the shallowest, keeping each that passes auth", () => {
    expect(resolved.get(key("m.room.power_levels"))).toBe("$pl-b:x");
  });

  it("takes the deepest other event that passes auth against the resolved power levels", () => {
    // $topic-b is deeper but bob (20) is below state_default (50) under $pl-b, so A's topic wins.
    expect(resolved.get(key("m.room.topic"))).toBe("$topic-a:x");
  });

  it("gives the same answer whichever state set comes first", () => {
    const reversed = resolveState(v1, [forkB, forkA], events);
    expect([...reversed].sort()).toEqual([...resolved].sort());
  });

  it("breaks depth ties by the smaller sha1 of the event id, when both pass auth", () => {
    ev("$t1:x", "m.room.topic", "", alice, { topic: "1" }, ["$create:x", "$pl:x", "$join-alice:x"], 20);
    ev("$t2:x", "m.room.topic", "", alice, { topic: "2" }, ["$create:x", "$pl:x", "$join-alice:x"], 20);
    const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");
    const expected = sha1("$t1:x") < sha1("$t2:x") ? "$t1:x" : "$t2:x";
    const one = new Map([...base, [key("m.room.topic"), "$t1:x"]]);
    const two = new Map([...base, [key("m.room.topic"), "$t2:x"]]);
    expect(resolveState(v1, [one, two], events).get(key("m.room.topic"))).toBe(expected);
    expect(resolveState(v1, [two, one], events).get(key("m.room.topic"))).toBe(expected);
  });
});
