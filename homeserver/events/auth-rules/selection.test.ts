import { describe, expect, it } from "vitest";
import type { IdentifiedPdu, JsonObject } from "../pdu.js";
import { requireRoomVersion } from "../room-versions.js";
import {
  authEventTypesFor,
  checkAuthEventsSelection,
  checkEventAuth,
  missingSignatureServers,
  requiredSignatureServers,
  stateLookupFromEvents,
  withStateEvents,
  type AuthResult,
} from "./index.js";
import { ALICE, ALL_VERSIONS, BOB, CAROL, DAVE, TestRoom, versionsFrom } from "./test-fixtures.js";

const allowed = (r: AuthResult) => expect(r).toEqual({ ok: true });
const rejected = (r: AuthResult, why: RegExp) => expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(why) });

const member = (sender: string, target: string, content: JsonObject) => ({ type: "m.room.member", sender, state_key: target, content });
const sorted = (pairs: Array<[string, string]>) => pairs.map(([t, k]) => `${t}|${k}`).sort();

describe("authEventTypesFor (auth events selection)", () => {
  it.each(ALL_VERSIONS)("v%s: m.room.create has no auth events", (v) => {
    expect(authEventTypesFor({ type: "m.room.create", sender: ALICE, state_key: "", content: {} }, requireRoomVersion(v))).toEqual([]);
  });

  it.each(versionsFrom(1, 11))("v%s: an ordinary event selects create, power levels and the sender's membership", (v) => {
    expect(sorted(authEventTypesFor({ type: "m.room.message", sender: BOB, content: {} }, requireRoomVersion(v)))).toEqual(
      ["m.room.create|", `m.room.member|${BOB}`, "m.room.power_levels|"],
    );
  });

  it("v12: the create event is never selected", () => {
    expect(sorted(authEventTypesFor({ type: "m.room.message", sender: BOB, content: {} }, requireRoomVersion("12")))).toEqual(
      [`m.room.member|${BOB}`, "m.room.power_levels|"],
    );
  });

  it.each(ALL_VERSIONS)("v%s: member events add the target and, for join/invite/knock, the join rules", (v) => {
    const rv = requireRoomVersion(v);
    const create = rv.roomIdFromCreateEvent ? [] : ["m.room.create|"];
    expect(sorted(authEventTypesFor(member(BOB, CAROL, { membership: "ban" }), rv))).toEqual(
      [...create, `m.room.member|${BOB}`, `m.room.member|${CAROL}`, "m.room.power_levels|"].sort(),
    );
    for (const membership of ["join", "invite", "knock"]) {
      expect(sorted(authEventTypesFor(member(DAVE, DAVE, { membership }), rv))).toEqual(
        [...create, "m.room.join_rules|", `m.room.member|${DAVE}`, "m.room.power_levels|"].sort(),
      );
    }
  });

  it.each(ALL_VERSIONS)("v%s: a third-party invite adds the m.room.third_party_invite for its token", (v) => {
    const pairs = sorted(authEventTypesFor(member(BOB, DAVE, { membership: "invite", third_party_invite: { signed: { token: "tok" } } }), requireRoomVersion(v)));
    expect(pairs).toContain("m.room.third_party_invite|tok");
  });

  it.each(versionsFrom(8))("v%s: a restricted join adds the authorising user's membership", (v) => {
    const pairs = sorted(authEventTypesFor(member(DAVE, DAVE, { membership: "join", join_authorised_via_users_server: BOB }), requireRoomVersion(v)));
    expect(pairs).toContain(`m.room.member|${BOB}`);
  });

  it.each(versionsFrom(1, 7))("v%s: join_authorised_via_users_server means nothing before v8", (v) => {
    const pairs = sorted(authEventTypesFor(member(DAVE, DAVE, { membership: "join", join_authorised_via_users_server: BOB }), requireRoomVersion(v)));
    expect(pairs).not.toContain(`m.room.member|${BOB}`);
  });
});

/** A room plus the events a well-formed member event by `sender` would cite. */
function citing(v: string) {
  const room = new TestRoom(v, { joinRule: "public" });
  const lookup = room.lookup();
  const pick = (type: string, key: string) => lookup.get(type, key)!;
  const event = (authEvents: IdentifiedPdu[]) =>
    room.event({ sender: DAVE, type: "m.room.member", state_key: DAVE, content: { membership: "join" }, auth_events: authEvents.map((e) => e.event_id) });
  const good = [pick("m.room.power_levels", ""), pick("m.room.join_rules", "")];
  if (!room.version.roomIdFromCreateEvent) good.push(room.create);
  return { room, pick, event, good };
}

describe("checkAuthEventsSelection (rules 'considering the event's auth_events')", () => {
  it.each(ALL_VERSIONS)("v%s: exactly the selected events are accepted", (v) => {
    const { room, event, good } = citing(v);
    allowed(checkAuthEventsSelection(event(good), good, room.version));
  });

  it.each(ALL_VERSIONS)("v%s: 2.1 two events for the same (type, state_key) are rejected", (v) => {
    const { room, event, good } = citing(v);
    const secondPl = room.event({ sender: ALICE, type: "m.room.power_levels", state_key: "", content: {} });
    const cited = [...good, secondPl];
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /duplicate auth events/);
  });

  it.each(ALL_VERSIONS)("v%s: 2.2 an event outside the selection is rejected", (v) => {
    const { room, event, good, pick } = citing(v);
    const cited = [...good, pick("m.room.member", CAROL)];
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /not one the selection allows/);
  });

  it.each(ALL_VERSIONS)("v%s: an auth event from another room is rejected", (v) => {
    const { room, event, good } = citing(v);
    const cited = [...good.slice(1), { ...good[0]!, room_id: "!elsewhere:a.example" }];
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /another room/);
  });

  it.each(versionsFrom(1, 11))("v%s: 2.4 auth events without the create event are rejected", (v) => {
    const { room, event, good } = citing(v);
    const cited = good.filter((e) => e.type !== "m.room.create");
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /no m.room.create/);
  });

  it("v12: 3.2 citing the create event is rejected", () => {
    const { room, event, good } = citing("12");
    const cited = [...good, room.create];
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /not one the selection allows/);
  });

  it.each(ALL_VERSIONS)("v%s: cited ids must all be supplied, and supplied events must be cited", (v) => {
    const { room, event, good } = citing(v);
    rejected(checkAuthEventsSelection(event(good), good.slice(1), room.version), /was not supplied/);
    rejected(checkAuthEventsSelection(event(good.slice(1)), good, room.version), /not in the event's auth_events/);
  });

  it.each(ALL_VERSIONS)("v%s: a non-state auth event is rejected", (v) => {
    const { room, event, good } = citing(v);
    const msg = room.event({ sender: BOB, type: "m.room.message", content: {} });
    const cited = [...good, msg];
    rejected(checkAuthEventsSelection(event(cited), cited, room.version), /not a state event/);
  });
});

describe("v12: supplying the create event that auth_events no longer lists", () => {
  it("auth against the event's own auth events works once the create event is overlaid", () => {
    const room = new TestRoom("12");
    const lookup = room.lookup();
    const authEvents = [lookup.get("m.room.power_levels", "")!, lookup.get("m.room.member", BOB)!];
    const event = room.event({ sender: BOB, type: "m.room.message", content: { body: "x" }, auth_events: authEvents.map((e) => e.event_id) });
    allowed(checkAuthEventsSelection(event, authEvents, room.version));
    rejected(checkEventAuth(event, stateLookupFromEvents(authEvents), room.version), /no m.room.create/);
    allowed(checkEventAuth(event, withStateEvents(stateLookupFromEvents(authEvents), [room.create]), room.version));
  });
});

describe("requiredSignatureServers", () => {
  const pdu = (fields: Partial<IdentifiedPdu>): IdentifiedPdu => ({
    event_id: "$x:c.example", room_id: "!r:a.example", sender: BOB, type: "m.room.message", content: {},
    origin_server_ts: 1, prev_events: [], auth_events: [], depth: 1, ...fields,
  });

  it("v1-2 also need the server named in the event id; later versions only the sender's", () => {
    expect(requiredSignatureServers(pdu({}), requireRoomVersion("1")).sort()).toEqual(["a.example", "c.example"]);
    expect(requiredSignatureServers(pdu({}), requireRoomVersion("3"))).toEqual(["a.example"]);
  });

  it.each(versionsFrom(8))("v%s: 5.2 a restricted join also needs the authorising user's server", (v) => {
    const join = pdu({ sender: DAVE, type: "m.room.member", state_key: DAVE, content: { membership: "join", join_authorised_via_users_server: BOB } });
    expect(requiredSignatureServers(join, requireRoomVersion(v)).sort()).toEqual(["a.example", "b.example"]);
    expect(missingSignatureServers({ ...join, signatures: { "b.example": {} } }, requireRoomVersion(v))).toEqual(["a.example"]);
  });

  it.each(versionsFrom(3, 7))("v%s: join_authorised_via_users_server needs no extra signature before v8", (v) => {
    const join = pdu({ sender: DAVE, type: "m.room.member", state_key: DAVE, content: { membership: "join", join_authorised_via_users_server: BOB } });
    expect(requiredSignatureServers(join, requireRoomVersion(v))).toEqual(["b.example"]);
  });

  it("a third-party invite redemption does not need the sender's server", () => {
    const invite = pdu({ type: "m.room.member", state_key: DAVE, content: { membership: "invite", third_party_invite: {} } });
    expect(requiredSignatureServers(invite, requireRoomVersion("10"))).toEqual([]);
  });
});
