import { describe, expect, it } from "vitest";
import type { JsonObject } from "../pdu.js";
import { requireRoomVersion } from "../room-versions.js";
import { parsePowerLevel, userPowerLevel, type AuthResult } from "./index.js";
import { ALICE, ALL_VERSIONS, BOB, CAROL, DAVE, TestRoom, versionsFrom } from "./test-fixtures.js";

const allowed = (r: AuthResult) => expect(r).toEqual({ ok: true });
const rejected = (r: AuthResult, why: RegExp) => expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(why) });

/** A room whose current power levels are `current`; BOB (50) changes them. */
function roomWith(v: string, current: JsonObject) {
  const room = new TestRoom(v, { powerLevels: current });
  return { room, change: (next: JsonObject, sender = BOB) => room.checkState(sender, "m.room.power_levels", "", next) };
}

const base = (v: string): JsonObject =>
  requireRoomVersion(v).creatorsHavePrivilege ? { [BOB]: 50, [CAROL]: 10 } : { [ALICE]: 100, [BOB]: 50, [CAROL]: 10 };
// BOB may send power levels; the sending rule itself is tested in general.test.ts.
const pl = (v: string, extra: JsonObject = {}, users: JsonObject = base(v)): JsonObject => ({
  events: { "m.room.power_levels": 50 },
  users,
  ...extra,
});

describe("parsePowerLevel", () => {
  it("accepts stringy integers before v10 (whitespace, sign, leading zeros) and not from v10", () => {
    for (const v of versionsFrom(1, 9)) {
      const rv = requireRoomVersion(v);
      expect([" 100 ", "+100", "-007", "000100"].map((s) => parsePowerLevel(s, rv))).toEqual([100, 100, -7, 100]);
      expect(parsePowerLevel("1.5", rv)).toBeUndefined();
      expect(parsePowerLevel("ten", rv)).toBeUndefined();
    }
    for (const v of versionsFrom(10)) expect(parsePowerLevel("100", requireRoomVersion(v))).toBeUndefined();
  });

  it("truncates floats in v1-5 (no strict canonical JSON) and refuses them from v6", () => {
    for (const v of versionsFrom(1, 5)) expect(parsePowerLevel(50.57, requireRoomVersion(v))).toBe(50);
    for (const v of versionsFrom(6)) expect(parsePowerLevel(50.57, requireRoomVersion(v))).toBeUndefined();
  });

  it("refuses non-numbers in every version", () => {
    for (const v of ALL_VERSIONS) {
      for (const bad of [null, true, [], {}]) expect(parsePowerLevel(bad, requireRoomVersion(v))).toBeUndefined();
    }
  });
});

describe("userPowerLevel", () => {
  it.each(versionsFrom(1, 11))("v%s: without a power levels event the creator has 100 and others 0", (v) => {
    const room = new TestRoom(v, { powerLevels: null });
    expect(userPowerLevel(ALICE, room.lookup(), room.version)).toBe(100);
    expect(userPowerLevel(BOB, room.lookup(), room.version)).toBe(0);
  });

  it("v12: creators (sender and additional_creators) have infinite power whatever power_levels says", () => {
    const room = new TestRoom("12", { createContent: { additional_creators: [DAVE] } });
    expect(userPowerLevel(ALICE, room.lookup(), room.version)).toBe(Infinity);
    expect(userPowerLevel(DAVE, room.lookup(), room.version)).toBe(Infinity);
    expect(userPowerLevel(BOB, room.lookup(), room.version)).toBe(50);
  });

  it.each(ALL_VERSIONS)("v%s: users_default applies to unlisted users", (v) => {
    const room = new TestRoom(v, { powerLevels: { users_default: 7 } });
    expect(userPowerLevel(DAVE, room.lookup(), room.version)).toBe(7);
  });
});

describe("rule 10 (m.room.power_levels)", () => {
  it.each(ALL_VERSIONS)("v%s: 10.3 users must map valid user ids to integers", (v) => {
    const { change } = roomWith(v, pl(v));
    rejected(change(pl(v, {}, { ...base(v), "not-a-user": 0 })), /'users'/);
    rejected(change(pl(v, {}, { ...base(v), [DAVE]: "lots" })), /'users'/);
    rejected(change(pl(v, { users: [] as unknown as JsonObject })), /'users'/);
    allowed(change(pl(v, {}, { ...base(v), [DAVE]: 5 })));
  });

  it.each(versionsFrom(1, 9))("v%s: stringy power levels are accepted before v10", (v) => {
    const { change } = roomWith(v, pl(v));
    allowed(change(pl(v, { ban: "50", events_default: " 0 " }, { ...base(v), [DAVE]: "5" })));
  });

  it.each(versionsFrom(10))("v%s: 10.1-10.3 any string power level is rejected from v10", (v) => {
    const { change } = roomWith(v, pl(v));
    rejected(change(pl(v, { ban: "50" })), /'ban' is not an integer/);
    rejected(change(pl(v, { events: { "m.room.power_levels": "50" } })), /'events'/);
    rejected(change(pl(v, { notifications: { room: "50" } })), /'notifications'/);
    rejected(change(pl(v, {}, { ...base(v), [DAVE]: "5" })), /'users'/);
  });

  it.each(ALL_VERSIONS)("v%s: 10.5 the first power levels event may set anything", (v) => {
    const room = new TestRoom(v, { powerLevels: null });
    const sender = ALICE; // the creator: 100 without a power levels event, infinite in v12
    allowed(room.checkState(sender, "m.room.power_levels", "", { ban: 1000, users: { [BOB]: 1000 } }));
  });

  it.each(ALL_VERSIONS)("v%s: 10.6 named levels: neither the old nor the new value may exceed the sender's", (v) => {
    const { change } = roomWith(v, pl(v, { kick: 75 }));
    rejected(change(pl(v, { kick: 40 })), /'kick' from 75/);
    rejected(change(pl(v, { kick: 75, ban: 60 })), /'ban' to 60/);
    allowed(change(pl(v, { kick: 75, ban: 50, redact: 20 })));
    // Removing a level above your own is a change too.
    rejected(change(pl(v, {})), /'kick' from 75/);
  });

  it.each(ALL_VERSIONS)("v%s: 10.7-10.8 events: changed or removed entries above the sender, and new values above it, are rejected", (v) => {
    const { change } = roomWith(v, pl(v, { events: { "m.room.power_levels": 50, "m.room.tombstone": 100 } }));
    rejected(change(pl(v, { events: { "m.room.power_levels": 50 } })), /tombstone'\] from 100/);
    rejected(change(pl(v, { events: { "m.room.power_levels": 50, "m.room.tombstone": 100, "m.room.name": 51 } })), /name'\] to 51/);
    allowed(change(pl(v, { events: { "m.room.power_levels": 50, "m.room.tombstone": 100, "m.room.name": 50 } })));
  });

  it.each(versionsFrom(6))("v%s: 10.7-10.8 notifications are guarded like events from v6", (v) => {
    const { change } = roomWith(v, pl(v, { notifications: { room: 100 } }));
    rejected(change(pl(v, { notifications: { room: 0 } })), /notifications\['room'\] from 100/);
    const fresh = roomWith(v, pl(v));
    rejected(fresh.change(pl(v, { notifications: { room: 60 } })), /notifications\['room'\] to 60/);
  });

  it.each(versionsFrom(1, 5))("v%s: notifications are not guarded before v6", (v) => {
    const { change } = roomWith(v, pl(v, { notifications: { room: 100 } }));
    allowed(change(pl(v, { notifications: { room: 0 } })));
  });

  it.each(ALL_VERSIONS)("v%s: 10.9 another user's entry at or above the sender's level cannot be changed", (v) => {
    const users = { ...base(v), [DAVE]: 50 };
    const { change } = roomWith(v, pl(v, {}, users));
    rejected(change(pl(v, {}, { ...users, [DAVE]: 0 })), /level of @dave/);
    rejected(change(pl(v, {}, { ...base(v) })), /level of @dave/);
    allowed(change(pl(v, {}, { ...users, [CAROL]: 0 })));
  });

  it.each(ALL_VERSIONS)("v%s: 10.9 the sender may lower their own level", (v) => {
    const { change } = roomWith(v, pl(v));
    allowed(change(pl(v, {}, { ...base(v), [BOB]: 10 })));
  });

  it.each(ALL_VERSIONS)("v%s: 10.10 nobody can be given more than the sender's level", (v) => {
    const { change } = roomWith(v, pl(v));
    rejected(change(pl(v, {}, { ...base(v), [CAROL]: 51 })), /give @carol:b.example level 51/);
    rejected(change(pl(v, {}, { ...base(v), [BOB]: 51 })), /give @bob:a.example level 51/);
    allowed(change(pl(v, {}, { ...base(v), [CAROL]: 50 })));
  });

  it.each(ALL_VERSIONS)("v%s: an unchanged value written differently is not a change", (v) => {
    const { change } = roomWith(v, pl(v, { kick: 75 }));
    allowed(change(pl(v, { kick: 75 })));
  });

  it("v12: 10.4 the creator may not appear in users", () => {
    const { change } = roomWith("12", pl("12"));
    rejected(change(pl("12", {}, { ...base("12"), [ALICE]: 100 }), ALICE), /creator @alice:a.example must not appear/);
  });

  it("v12: 10.4 an additional creator may not appear in users", () => {
    const room = new TestRoom("12", { createContent: { additional_creators: [DAVE] }, powerLevels: pl("12") });
    rejected(room.checkState(ALICE, "m.room.power_levels", "", pl("12", {}, { ...base("12"), [DAVE]: 0 })), /creator @dave/);
    allowed(room.checkState(ALICE, "m.room.power_levels", "", pl("12", { ban: 1_000_000 }, { [BOB]: 9000 })));
  });

  it.each(versionsFrom(1, 11))("v%s: listing the creator in users is fine before v12", (v) => {
    const { change } = roomWith(v, pl(v));
    allowed(change(pl(v, {}, { ...base(v), [ALICE]: 100 }), ALICE));
  });
});
