import { describe, expect, it } from "vitest";
import type { JsonObject, Pdu } from "./pdu.js";
import { redactEvent } from "./redaction.js";
import { requireRoomVersion } from "./room-versions.js";

const ALL = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
const range = (from: number, to = 12) => ALL.filter((v) => Number(v) >= from && Number(v) <= to);

function event(type: string, content: JsonObject, extra: Record<string, unknown> = {}): Pdu {
  return {
    event_id: "$abc:example.org",
    room_id: "!room:example.org",
    sender: "@alice:example.org",
    type,
    state_key: "",
    content,
    origin_server_ts: 1234,
    prev_events: ["$prev"],
    auth_events: ["$auth"],
    depth: 7,
    hashes: { sha256: "hash" },
    signatures: { "example.org": { "ed25519:a": "sig" } },
    unsigned: { age_ts: 1, transaction_id: "t" },
    origin: "example.org",
    membership: "join",
    prev_state: [],
    redacts: "$target",
    custom_top_level: "dropped",
    ...extra,
  };
}

function contentAfter(version: string, type: string, content: JsonObject): JsonObject {
  return redactEvent(event(type, content), version).content;
}

describe("redactEvent: top-level keys", () => {
  it.each(range(1, 10))("v%s keeps origin, membership and prev_state and drops unsigned, redacts and unknown keys", (v) => {
    const out = redactEvent(event("m.room.message", { body: "hi" }), v);
    expect(Object.keys(out).sort()).toEqual(
      ["auth_events", "content", "depth", "event_id", "hashes", "membership", "origin", "origin_server_ts",
        "prev_events", "prev_state", "room_id", "sender", "signatures", "state_key", "type"].sort(),
    );
    expect(out.content).toEqual({});
  });

  it.each(range(11))("v%s also drops origin, membership and prev_state", (v) => {
    const out = redactEvent(event("m.room.message", { body: "hi" }), v);
    expect(Object.keys(out).sort()).toEqual(
      ["auth_events", "content", "depth", "event_id", "hashes", "origin_server_ts", "prev_events", "room_id",
        "sender", "signatures", "state_key", "type"].sort(),
    );
  });

  it("does not invent absent keys (no state_key on a message, no room_id on a v12 create)", () => {
    const { state_key: _s, ...message } = event("m.room.message", {});
    expect("state_key" in redactEvent(message as Pdu, "10")).toBe(false);
    const { room_id: _r, ...create } = event("m.room.create", {});
    expect("room_id" in redactEvent(create as Pdu, "12")).toBe(false);
  });

  it("leaves the input untouched and shares no objects with it", () => {
    const input = event("m.room.power_levels", { users: { "@a:b": 100 }, ban: 50 });
    const before = structuredClone(input);
    const out = redactEvent(input, "9");
    expect(input).toEqual(before);
    (out.content["users"] as JsonObject)["@a:b"] = 0;
    out.signatures!["example.org"]!["ed25519:a"] = "changed";
    expect(input).toEqual(before);
  });

  it("accepts a room version id as well as a row", () => {
    expect(redactEvent(event("m.room.message", {}), requireRoomVersion("3"))).toEqual(
      redactEvent(event("m.room.message", {}), "3"),
    );
  });
});

describe("redactEvent: content by event type", () => {
  const member = { membership: "join", displayname: "A", avatar_url: "mxc://x/y",
    join_authorised_via_users_server: "@bob:example.org",
    third_party_invite: { display_name: "a@example.com", signed: { mxid: "@a:b", token: "t", signatures: {} } } };

  it.each(range(1, 8))("m.room.member keeps only membership in v%s", (v) => {
    expect(contentAfter(v, "m.room.member", member)).toEqual({ membership: "join" });
  });
  it.each(range(9, 10))("m.room.member also keeps join_authorised_via_users_server in v%s", (v) => {
    expect(contentAfter(v, "m.room.member", member)).toEqual({
      membership: "join", join_authorised_via_users_server: "@bob:example.org" });
  });
  it.each(range(11))("m.room.member also keeps third_party_invite.signed (only) in v%s", (v) => {
    expect(contentAfter(v, "m.room.member", member)).toEqual({
      membership: "join", join_authorised_via_users_server: "@bob:example.org",
      third_party_invite: { signed: { mxid: "@a:b", token: "t", signatures: {} } } });
    // The object stays, emptied, when it has no signed block (matches Synapse, so reference hashes agree).
    expect(contentAfter(v, "m.room.member", { membership: "invite", third_party_invite: { display_name: "x" } }))
      .toEqual({ membership: "invite", third_party_invite: {} });
    expect(contentAfter(v, "m.room.member", { membership: "invite", third_party_invite: "not an object" }))
      .toEqual({ membership: "invite" });
  });

  const create = { creator: "@alice:example.org", room_version: "9", "m.federate": false, predecessor: { room_id: "!o:x" } };
  it.each(range(1, 10))("m.room.create keeps only creator in v%s", (v) => {
    expect(contentAfter(v, "m.room.create", create)).toEqual({ creator: "@alice:example.org" });
  });
  it.each(range(11))("m.room.create keeps all content in v%s", (v) => {
    expect(contentAfter(v, "m.room.create", create)).toEqual(create);
  });

  const joinRules = { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:x" }], other: 1 };
  it.each(range(1, 7))("m.room.join_rules keeps only join_rule in v%s", (v) => {
    expect(contentAfter(v, "m.room.join_rules", joinRules)).toEqual({ join_rule: "restricted" });
  });
  it.each(range(8))("m.room.join_rules also keeps allow in v%s", (v) => {
    expect(contentAfter(v, "m.room.join_rules", joinRules)).toEqual({ join_rule: "restricted", allow: joinRules.allow });
  });

  const pl = { ban: 50, events: { "m.room.name": 50 }, events_default: 0, invite: 0, kick: 50, redact: 50,
    state_default: 50, users: { "@alice:example.org": 100 }, users_default: 0, notifications: { room: 50 } };
  const { invite: _i, notifications: _n, ...plWithoutInvite } = pl;
  it.each(range(1, 10))("m.room.power_levels drops invite and notifications in v%s", (v) => {
    expect(contentAfter(v, "m.room.power_levels", pl)).toEqual(plWithoutInvite);
  });
  it.each(range(11))("m.room.power_levels keeps invite but not notifications in v%s", (v) => {
    expect(contentAfter(v, "m.room.power_levels", pl)).toEqual({ ...plWithoutInvite, invite: 0 });
  });

  it.each(ALL)("m.room.history_visibility keeps history_visibility in v%s", (v) => {
    expect(contentAfter(v, "m.room.history_visibility", { history_visibility: "shared", x: 1 }))
      .toEqual({ history_visibility: "shared" });
  });

  it.each(range(1, 5))("m.room.aliases keeps aliases in v%s", (v) => {
    expect(contentAfter(v, "m.room.aliases", { aliases: ["#a:b"], x: 1 })).toEqual({ aliases: ["#a:b"] });
  });
  it.each(range(6))("m.room.aliases keeps nothing in v%s", (v) => {
    expect(contentAfter(v, "m.room.aliases", { aliases: ["#a:b"] })).toEqual({});
  });

  it.each(range(1, 10))("m.room.redaction keeps no content (and loses top-level redacts) in v%s", (v) => {
    const out = redactEvent(event("m.room.redaction", { redacts: "$t", reason: "spam" }), v);
    expect(out.content).toEqual({});
    expect("redacts" in out).toBe(false);
  });
  it.each(range(11))("m.room.redaction keeps content.redacts in v%s", (v) => {
    expect(contentAfter(v, "m.room.redaction", { redacts: "$t", reason: "spam" })).toEqual({ redacts: "$t" });
  });

  it.each(ALL)("other event types keep no content in v%s", (v) => {
    expect(contentAfter(v, "m.room.topic", { topic: "x" })).toEqual({});
    expect(contentAfter(v, "m.room.name", { name: "x" })).toEqual({});
  });
});
