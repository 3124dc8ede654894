import { describe, expect, it } from "vitest";
import { requireRoomVersion } from "../room-versions.js";
import { canApplyRedaction, checkEventAuth, type AuthResult } from "./index.js";
import { ALICE, ALL_VERSIONS, BOB, CAROL, DAVE, TestRoom, versionsFrom } from "./test-fixtures.js";

const allowed = (r: AuthResult) => expect(r).toEqual({ ok: true });
const rejected = (r: AuthResult, why: RegExp) => expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(why) });
const message = (room: TestRoom, sender: string, content = { body: "hi" }) =>
  room.check(room.event({ sender, type: "m.room.message", content }));

describe("size and format limits", () => {
  it.each(ALL_VERSIONS)("v%s: a PDU over 65536 bytes of canonical JSON is rejected, one just under is allowed", (v) => {
    const room = new TestRoom(v);
    const probe = room.event({ sender: BOB, type: "m.room.message", content: { body: "" } });
    const { event_id: _id, ...wire } = probe;
    const overhead = JSON.stringify(room.version.eventIdFormat === "server-generated" ? probe : wire).length;
    const fits = { ...probe, content: { body: "x".repeat(65_536 - overhead) } };
    allowed(room.check(fits));
    rejected(room.check({ ...probe, content: { body: "x".repeat(65_536 - overhead + 1) } }), /over the 65536-byte limit/);
  });

  it.each(ALL_VERSIONS)("v%s: identifiers are limited to 255 bytes, not characters", (v) => {
    const room = new TestRoom(v);
    const long = "é".repeat(128); // 128 characters, 256 bytes
    rejected(room.checkState(BOB, "m.room.topic", long, { topic: "t" }), /state_key is longer than 255 bytes/);
    rejected(room.check(room.event({ sender: BOB, type: long, content: {} })), /type is longer/);
    rejected(room.check(room.event({ sender: `@${long}:a.example`, type: "m.room.message" })), /sender is longer/);
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", event_id: `$${long}` })), /event_id is longer/);
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", room_id: `!${long}` })), /room_id is longer/);
    allowed(room.checkState(BOB, "m.room.topic", "é".repeat(127), { topic: "t" }));
  });

  it.each(ALL_VERSIONS)("v%s: depth must be an integer from 0 to 2^53-1", (v) => {
    const room = new TestRoom(v);
    for (const depth of [-1, 1.5, 2 ** 53]) {
      rejected(room.check(room.event({ sender: BOB, type: "m.room.message", depth })), /depth/);
    }
    allowed(room.check(room.event({ sender: BOB, type: "m.room.message", depth: 2 ** 53 - 1 })));
  });

  it.each(versionsFrom(6))("v%s: floats and integers beyond ±(2^53-1) anywhere in the event are rejected", (v) => {
    const room = new TestRoom(v);
    rejected(message(room, BOB, { body: "x", n: 1.5 } as never), /event.content.n is not an integer/);
    rejected(message(room, BOB, { body: "x", n: [2 ** 53] } as never), /event.content.n\[0\]/);
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", origin_server_ts: 0.5 })), /origin_server_ts/);
    allowed(message(room, BOB, { body: "x", n: -(2 ** 53 - 1) } as never));
  });

  it.each(versionsFrom(1, 5))("v%s: floats and big integers are tolerated before v6", (v) => {
    const room = new TestRoom(v);
    allowed(message(room, BOB, { body: "x", n: 1.5, m: 2 ** 60 } as never));
  });

  it.each(versionsFrom(6))("v%s: numbers in unsigned are not judged", (v) => {
    const room = new TestRoom(v);
    allowed(room.check(room.event({ sender: BOB, type: "m.room.message", unsigned: { age: 1.5 } })));
  });

  it("events of the wrong shape are rejected, not thrown on", () => {
    const room = new TestRoom("10");
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", content: "x" as never })), /content/);
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", prev_events: null as never })), /lists/);
    rejected(room.check(room.event({ sender: BOB, type: 5 as never })), /type/);
  });
});

describe("the room's create event in the auth state", () => {
  it.each(ALL_VERSIONS)("v%s: no m.room.create in the auth state means reject", (v) => {
    const room = new TestRoom(v);
    room.remove("m.room.create", "");
    rejected(message(room, BOB), /no m.room.create/);
  });

  it.each(versionsFrom(1, 11))("v%s: a create event from another room is rejected", (v) => {
    const room = new TestRoom(v);
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", room_id: "!other:a.example" })), /another room/);
  });

  it("v12: 2 the room_id must be the create event's id with ! for $", () => {
    const room = new TestRoom("12");
    expect(room.roomId).toBe(`!${room.create.event_id.slice(1)}`);
    allowed(message(room, BOB));
    rejected(room.check(room.event({ sender: BOB, type: "m.room.message", room_id: "!somethingelse" })), /not derived/);
  });

  it.each(ALL_VERSIONS)("v%s: checking an event under a version other than the room's is rejected", (v) => {
    const room = new TestRoom(v);
    const other = requireRoomVersion(v === "10" ? "9" : "10");
    rejected(checkEventAuth(room.event({ sender: BOB, type: "m.room.message" }), room.lookup(), other), /room is version/);
  });
});

describe("m.federate", () => {
  it.each(ALL_VERSIONS)("v%s: in a room with m.federate false, senders from other servers are rejected", (v) => {
    const room = new TestRoom(v, { createContent: { "m.federate": false } });
    rejected(message(room, CAROL), /does not federate/);
    rejected(room.checkMember(CAROL, CAROL, "leave"), /does not federate/);
    allowed(message(room, BOB));
  });

  it.each(ALL_VERSIONS)("v%s: m.federate true or absent lets other servers take part", (v) => {
    allowed(message(new TestRoom(v, { createContent: { "m.federate": true } }), CAROL));
    allowed(message(new TestRoom(v), CAROL));
  });
});

describe("m.room.aliases", () => {
  it.each(versionsFrom(1, 5))("v%s: 4 aliases are allowed iff state_key is the sender's server, even from non-members", (v) => {
    const room = new TestRoom(v);
    allowed(room.checkState(DAVE, "m.room.aliases", "b.example", { aliases: ["#x:b.example"] }));
    rejected(room.checkState(DAVE, "m.room.aliases", "a.example", { aliases: [] }), /sender's server/);
    rejected(room.checkState(DAVE, "m.room.aliases", "", { aliases: [] }), /needs a state_key/);
  });

  it.each(versionsFrom(6))("v%s: aliases follow the ordinary state rules from v6", (v) => {
    const room = new TestRoom(v);
    rejected(room.checkState(DAVE, "m.room.aliases", "b.example", { aliases: [] }), /not joined/);
    rejected(room.checkState(CAROL, "m.room.aliases", "b.example", { aliases: [] }), /needs power level 50/);
    allowed(room.checkState(BOB, "m.room.aliases", "b.example", { aliases: [] }));
  });
});

describe("ordinary events", () => {
  it.each(ALL_VERSIONS)("v%s: 6 a sender who is not joined is rejected", (v) => {
    const room = new TestRoom(v);
    rejected(message(room, DAVE), /not joined/);
    room.member(DAVE, "invite", ALICE);
    rejected(message(room, DAVE), /not joined/);
    allowed(message(room, CAROL));
  });

  it.each(ALL_VERSIONS)("v%s: 7 m.room.third_party_invite needs the invite level", (v) => {
    const room = new TestRoom(v, { powerLevels: { users: { [BOB]: 50 }, invite: 50, events: { "m.room.third_party_invite": 100 } } });
    // The invite level decides, not the event's own required level.
    allowed(room.checkState(BOB, "m.room.third_party_invite", "tok", { public_key: "k" }));
    rejected(room.checkState(CAROL, "m.room.third_party_invite", "tok", { public_key: "k" }), /invite level/);
  });

  it.each(ALL_VERSIONS)("v%s: 8 the required power level comes from events, else state_default / events_default", (v) => {
    const room = new TestRoom(v, {
      powerLevels: { users: { [BOB]: 50, [CAROL]: 10 }, events: { "m.room.name": 10, "m.reaction": 20 }, state_default: 40, events_default: 5 },
    });
    allowed(room.checkState(CAROL, "m.room.name", "", { name: "n" }));
    rejected(room.checkState(CAROL, "m.room.topic", "", { topic: "t" }), /needs power level 40/);
    allowed(message(room, CAROL));
    rejected(room.check(room.event({ sender: CAROL, type: "m.reaction", content: {} })), /needs power level 20/);
    const muted = new TestRoom(v, { powerLevels: { users: {}, events_default: 1 } });
    rejected(message(muted, CAROL), /needs power level 1/);
  });

  it.each(ALL_VERSIONS)("v%s: 8 without a power levels event state needs 50 and messages 0", (v) => {
    const room = new TestRoom(v, { powerLevels: null });
    rejected(room.checkState(CAROL, "m.room.topic", "", { topic: "t" }), /needs power level 50/);
    allowed(room.checkState(ALICE, "m.room.topic", "", { topic: "t" }));
    allowed(message(room, CAROL));
  });

  it.each(ALL_VERSIONS)("v%s: 9 a state_key naming another user is rejected; one's own is allowed", (v) => {
    const room = new TestRoom(v, { powerLevels: { users: { [BOB]: 50 }, state_default: 0 } });
    rejected(room.checkState(CAROL, "org.example.status", BOB, { s: 1 }), /another user/);
    allowed(room.checkState(CAROL, "org.example.status", CAROL, { s: 1 }));
    allowed(room.checkState(CAROL, "org.example.status", "not-a-user", { s: 1 }));
  });

  it("v12: creators pass every level without appearing in power levels", () => {
    const room = new TestRoom("12", { powerLevels: { users: {}, state_default: 1_000_000 } });
    allowed(room.checkState(ALICE, "m.room.topic", "", { topic: "t" }));
    rejected(room.checkState(BOB, "m.room.topic", "", { topic: "t" }), /needs power level/);
  });
});

describe("redactions", () => {
  const redaction = (room: TestRoom, sender: string, redacts: string) =>
    room.version.redactsInContent
      ? room.event({ sender, type: "m.room.redaction", content: { redacts } })
      : room.event({ sender, type: "m.room.redaction", content: {}, redacts });

  it.each(versionsFrom(1, 2))("v%s: 11 a redaction needs the redact level or the same server as the redacted event id", (v) => {
    const room = new TestRoom(v);
    allowed(room.check(redaction(room, BOB, "$other:b.example")));
    // CAROL (level 0) may only redact events whose id names the same server as her redaction's id.
    rejected(room.check({ ...redaction(room, CAROL, "$other:b.example"), event_id: "$mine:a.example" }), /redact level/);
    allowed(room.check({ ...redaction(room, CAROL, "$other:b.example"), event_id: "$mine:b.example" }));
  });

  it.each(versionsFrom(3))("v%s: redactions are not judged by the redact level at receipt", (v) => {
    const room = new TestRoom(v);
    allowed(room.check(redaction(room, CAROL, "$whatever")));
  });

  it.each(versionsFrom(3))("v%s: redactions still obey events / events_default", (v) => {
    const room = new TestRoom(v, { powerLevels: { users: { [BOB]: 50 }, events: { "m.room.redaction": 50 } } });
    rejected(room.check(redaction(room, CAROL, "$whatever")), /needs power level 50/);
  });

  it.each(versionsFrom(3))("v%s: handling: applied for the redact level or the same sender server, else pending", (v) => {
    const room = new TestRoom(v);
    const target = room.event({ sender: ALICE, type: "m.room.message", content: { body: "x" } });
    const byCarol = redaction(room, CAROL, target.event_id);
    const byBob = redaction(room, BOB, target.event_id);
    expect(canApplyRedaction(byBob, target, room.lookup(), room.version)).toBe(true);
    expect(canApplyRedaction(byCarol, target, room.lookup(), room.version)).toBe(false);
    const carolsOwn = room.event({ sender: "@carol2:b.example", type: "m.room.message", content: {} });
    expect(canApplyRedaction(redaction(room, CAROL, carolsOwn.event_id), carolsOwn, room.lookup(), room.version)).toBe(true);
    expect(canApplyRedaction(byBob, carolsOwn, room.lookup(), room.version)).toBe(false);
  });
});
