import { describe, expect, it } from "vitest";
import type { AuthResult } from "./index.js";
import { ALICE, ALL_VERSIONS, BOB, CAROL, DAVE, EVE, TestRoom, versionsFrom } from "./test-fixtures.js";

const allowed = (r: AuthResult) => expect(r).toEqual({ ok: true });
const rejected = (r: AuthResult, why: RegExp) => expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(why) });

describe("m.room.member: shape", () => {
  it.each(ALL_VERSIONS)("v%s: 5.1 a member event without state_key or membership is rejected", (v) => {
    const room = new TestRoom(v, { joinRule: "public" });
    rejected(room.check(room.event({ sender: DAVE, type: "m.room.member", content: { membership: "join" } })), /state_key/);
    rejected(room.checkState(DAVE, "m.room.member", DAVE, {}), /membership/);
    allowed(room.checkMember(DAVE, DAVE, "join"));
  });

  it.each(ALL_VERSIONS)("v%s: an unknown membership is rejected", (v) => {
    const room = new TestRoom(v);
    rejected(room.checkMember(BOB, BOB, "dance"), /unknown membership/);
  });
});

describe("m.room.member: join", () => {
  it.each(ALL_VERSIONS)("v%s: 3.1 the creator's join straight after the create event is allowed", (v) => {
    const room = new TestRoom(v, { joinRule: null, powerLevels: null });
    room.remove("m.room.member", ALICE);
    const first = room.event({ sender: ALICE, type: "m.room.member", state_key: ALICE, content: { membership: "join" },
      prev_events: [room.create.event_id] });
    allowed(room.check(first));
    // The same join with other prev_events falls through to the join rule (invite by default).
    rejected(room.check({ ...first, prev_events: ["$other"] }), /not invited/);
  });

  it.each(versionsFrom(1, 2))("v%s: 3.1 prev_events given as [id, hashes] pairs still identify the create event", (v) => {
    const room = new TestRoom(v, { joinRule: null, powerLevels: null });
    room.remove("m.room.member", ALICE);
    allowed(room.check(room.event({ sender: ALICE, type: "m.room.member", state_key: ALICE, content: { membership: "join" },
      prev_events: [[room.create.event_id, { sha256: "x" }]] })));
  });

  it.each(versionsFrom(1, 10))("v%s: 3.1 'the creator' is content.creator up to v10", (v) => {
    const room = new TestRoom(v, { joinRule: null, powerLevels: null, createContent: { creator: DAVE } });
    const join = (user: string) => room.event({ sender: user, type: "m.room.member", state_key: user,
      content: { membership: "join" }, prev_events: [room.create.event_id] });
    allowed(room.check(join(DAVE)));
    room.remove("m.room.member", ALICE);
    rejected(room.check(join(ALICE)), /not invited/);
  });

  it.each(versionsFrom(11))("v%s: 3.1 'the creator' is the create event's sender from v11", (v) => {
    const room = new TestRoom(v, { joinRule: null, powerLevels: null, createContent: { creator: DAVE } });
    room.remove("m.room.member", ALICE);
    const join = (user: string) => room.event({ sender: user, type: "m.room.member", state_key: user,
      content: { membership: "join" }, prev_events: [room.create.event_id] });
    allowed(room.check(join(ALICE)));
    rejected(room.check(join(DAVE)), /not invited/);
  });

  it.each(ALL_VERSIONS)("v%s: 3.2 joining on behalf of another user is rejected", (v) => {
    const room = new TestRoom(v, { joinRule: "public" });
    rejected(room.checkMember(BOB, DAVE, "join"), /on behalf/);
    allowed(room.checkMember(DAVE, DAVE, "join"));
  });

  it.each(ALL_VERSIONS)("v%s: 3.3 a banned user cannot join even a public room", (v) => {
    const room = new TestRoom(v, { joinRule: "public" });
    rejected(room.checkMember(EVE, EVE, "join"), /banned/);
  });

  it.each(ALL_VERSIONS)("v%s: 3.4 join rule invite: invited or joined users may join, others not", (v) => {
    const room = new TestRoom(v, { joinRule: "invite" });
    rejected(room.checkMember(DAVE, DAVE, "join"), /not invited/);
    allowed(room.checkMember(BOB, BOB, "join", { displayname: "Bob" }));
    room.member(DAVE, "invite", ALICE);
    allowed(room.checkMember(DAVE, DAVE, "join"));
  });

  it.each(ALL_VERSIONS)("v%s: 3.4 without a join rules event the room is invite-only", (v) => {
    const room = new TestRoom(v, { joinRule: null });
    rejected(room.checkMember(DAVE, DAVE, "join"), /not invited/);
  });

  it.each(versionsFrom(7))("v%s: 3.4 join rule knock behaves as invite for joins", (v) => {
    const room = new TestRoom(v, { joinRule: "knock" });
    rejected(room.checkMember(DAVE, DAVE, "join"), /not invited/);
    room.member(DAVE, "invite", ALICE);
    allowed(room.checkMember(DAVE, DAVE, "join"));
  });

  it.each(versionsFrom(1, 6))("v%s: join rule knock is unknown before v7, so nobody joins by it", (v) => {
    const room = new TestRoom(v, { joinRule: "knock" });
    room.member(DAVE, "invite", ALICE);
    rejected(room.checkMember(DAVE, DAVE, "join"), /does not allow joining/);
  });

  it.each(versionsFrom(8))("v%s: 3.5 restricted: a join vouched for by a joined user who may invite is allowed", (v) => {
    const room = new TestRoom(v, { joinRule: "restricted" });
    allowed(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: BOB }));
  });

  it.each(versionsFrom(8))("v%s: 3.5.1 restricted: invited users join without an authoriser", (v) => {
    const room = new TestRoom(v, { joinRule: "restricted" });
    room.member(DAVE, "invite", ALICE);
    allowed(room.checkMember(DAVE, DAVE, "join"));
  });

  it.each(versionsFrom(8))("v%s: 3.5.2 restricted: missing, unjoined or underpowered authorisers are rejected", (v) => {
    const room = new TestRoom(v, {
      joinRule: "restricted",
      powerLevels: { users: { [BOB]: 50 }, invite: 10 },
    });
    rejected(room.checkMember(DAVE, DAVE, "join"), /lacks join_authorised_via_users_server/);
    rejected(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: "@zed:b.example" }), /not joined/);
    rejected(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: CAROL }), /may not invite/);
    allowed(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: BOB }));
  });

  it.each(versionsFrom(1, 7))("v%s: join rule restricted is unknown before v8", (v) => {
    const room = new TestRoom(v, { joinRule: "restricted" });
    rejected(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: BOB }), /does not allow joining/);
  });

  it.each(versionsFrom(10))("v%s: 3.5 knock_restricted allows authorised joins", (v) => {
    const room = new TestRoom(v, { joinRule: "knock_restricted" });
    allowed(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: BOB }));
    rejected(room.checkMember(DAVE, DAVE, "join"), /lacks join_authorised_via_users_server/);
  });

  it.each(versionsFrom(1, 9))("v%s: join rule knock_restricted is unknown before v10", (v) => {
    const room = new TestRoom(v, { joinRule: "knock_restricted" });
    rejected(room.checkMember(DAVE, DAVE, "join", { join_authorised_via_users_server: BOB }), /does not allow joining/);
  });

  it.each(ALL_VERSIONS)("v%s: 3.6 public rooms admit anyone not banned", (v) => {
    allowed(new TestRoom(v, { joinRule: "public" }).checkMember(DAVE, DAVE, "join"));
  });

  it.each(ALL_VERSIONS)("v%s: 3.7 any other join rule rejects joins", (v) => {
    const room = new TestRoom(v, { joinRule: "private" });
    room.member(DAVE, "invite", ALICE);
    rejected(room.checkMember(DAVE, DAVE, "join"), /does not allow joining/);
  });
});

describe("m.room.member: invite (without third_party_invite)", () => {
  it.each(ALL_VERSIONS)("v%s: 4.4 a joined user at the invite level may invite", (v) => {
    allowed(new TestRoom(v).checkMember(CAROL, DAVE, "invite"));
  });

  it.each(ALL_VERSIONS)("v%s: 4.2 an inviter who is not joined is rejected", (v) => {
    const room = new TestRoom(v);
    room.member(CAROL, "leave");
    rejected(room.checkMember(CAROL, DAVE, "invite"), /inviter is not joined/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.3 inviting someone joined or banned is rejected", (v) => {
    const room = new TestRoom(v);
    rejected(room.checkMember(BOB, CAROL, "invite"), /already joined/);
    rejected(room.checkMember(BOB, EVE, "invite"), /banned/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.5 an inviter below the invite level is rejected", (v) => {
    const room = new TestRoom(v, { powerLevels: { users: { [BOB]: 50 }, invite: 50 } });
    rejected(room.checkMember(CAROL, DAVE, "invite"), /below the invite level/);
    allowed(room.checkMember(BOB, DAVE, "invite"));
  });
});

describe("m.room.member: leave", () => {
  it.each(ALL_VERSIONS)("v%s: 5.1 users may leave, and reject invites", (v) => {
    const room = new TestRoom(v);
    allowed(room.checkMember(CAROL, CAROL, "leave"));
    room.member(DAVE, "invite", ALICE);
    allowed(room.checkMember(DAVE, DAVE, "leave"));
  });

  it.each(ALL_VERSIONS)("v%s: 5.1 banned or absent users cannot 'leave' themselves", (v) => {
    const room = new TestRoom(v);
    rejected(room.checkMember(EVE, EVE, "leave"), /cannot leave with membership 'ban'/);
    rejected(room.checkMember(DAVE, DAVE, "leave"), /cannot leave with membership 'leave'/);
  });

  it.each(versionsFrom(7))("v%s: 5.1 knocking users may withdraw their knock", (v) => {
    const room = new TestRoom(v);
    room.member(DAVE, "knock");
    allowed(room.checkMember(DAVE, DAVE, "leave"));
  });

  it.each(versionsFrom(1, 6))("v%s: 5.1 a 'knock' membership confers nothing before v7", (v) => {
    const room = new TestRoom(v);
    room.member(DAVE, "knock");
    rejected(room.checkMember(DAVE, DAVE, "leave"), /cannot leave/);
  });

  it.each(ALL_VERSIONS)("v%s: 5.2 a kicker who is not joined is rejected", (v) => {
    const room = new TestRoom(v);
    room.member(BOB, "leave");
    rejected(room.checkMember(BOB, CAROL, "leave"), /kicker is not joined/);
  });

  it.each(ALL_VERSIONS)("v%s: 5.3 unbanning needs the ban level", (v) => {
    const room = new TestRoom(v, { powerLevels: { users: { [BOB]: 50 }, kick: 50, ban: 60 } });
    rejected(room.checkMember(BOB, EVE, "leave"), /unbanning needs the ban level/);
    const strong = new TestRoom(v, { powerLevels: { users: { [BOB]: 60 }, kick: 50, ban: 60 } });
    allowed(strong.checkMember(BOB, EVE, "leave"));
  });

  it.each(ALL_VERSIONS)("v%s: 5.4 kicks need the kick level and a level above the target", (v) => {
    const room = new TestRoom(v);
    allowed(room.checkMember(BOB, CAROL, "leave"));
    rejected(room.checkMember(CAROL, BOB, "leave"), /kick level/);
    const peers = new TestRoom(v, { powerLevels: { users: { [BOB]: 50, [CAROL]: 50 } } });
    rejected(peers.checkMember(BOB, CAROL, "leave"), /above the target/);
  });
});

describe("m.room.member: ban", () => {
  it.each(ALL_VERSIONS)("v%s: 6.2 bans need the ban level and a level above the target", (v) => {
    const room = new TestRoom(v);
    allowed(room.checkMember(BOB, CAROL, "ban"));
    allowed(room.checkMember(BOB, DAVE, "ban"));
    rejected(room.checkMember(CAROL, DAVE, "ban"), /ban level/);
    const peers = new TestRoom(v, { powerLevels: { users: { [BOB]: 50, [CAROL]: 50 } } });
    rejected(peers.checkMember(BOB, CAROL, "ban"), /above the target/);
  });

  it.each(ALL_VERSIONS)("v%s: 6.1 a banner who is not joined is rejected", (v) => {
    const room = new TestRoom(v);
    room.member(BOB, "leave");
    rejected(room.checkMember(BOB, CAROL, "ban"), /banner is not joined/);
  });
});

describe("m.room.member: knock", () => {
  it.each(versionsFrom(7))("v%s: 7 knocking on a knock room is allowed for outsiders", (v) => {
    allowed(new TestRoom(v, { joinRule: "knock" }).checkMember(DAVE, DAVE, "knock"));
  });

  it.each(versionsFrom(1, 6))("v%s: knock is an unknown membership before v7", (v) => {
    rejected(new TestRoom(v, { joinRule: "knock" }).checkMember(DAVE, DAVE, "knock"), /not supported/);
  });

  it.each(versionsFrom(7))("v%s: 7.1 knocking needs join rule knock (or knock_restricted)", (v) => {
    rejected(new TestRoom(v, { joinRule: "invite" }).checkMember(DAVE, DAVE, "knock"), /does not allow knocking/);
    rejected(new TestRoom(v, { joinRule: "public" }).checkMember(DAVE, DAVE, "knock"), /does not allow knocking/);
  });

  it.each(versionsFrom(10))("v%s: 7.1 knock_restricted rooms accept knocks", (v) => {
    allowed(new TestRoom(v, { joinRule: "knock_restricted" }).checkMember(DAVE, DAVE, "knock"));
  });

  it.each(versionsFrom(7, 9))("v%s: 7.1 knock_restricted is unknown before v10, so no knocks", (v) => {
    rejected(new TestRoom(v, { joinRule: "knock_restricted" }).checkMember(DAVE, DAVE, "knock"), /does not allow knocking/);
  });

  it.each(versionsFrom(7))("v%s: 7.2 knocking on behalf of another user is rejected", (v) => {
    rejected(new TestRoom(v, { joinRule: "knock" }).checkMember(BOB, DAVE, "knock"), /on behalf/);
  });

  it.each(versionsFrom(7))("v%s: 7.3 joined, invited or banned users cannot knock", (v) => {
    const room = new TestRoom(v, { joinRule: "knock" });
    rejected(room.checkMember(CAROL, CAROL, "knock"), /while join/);
    rejected(room.checkMember(EVE, EVE, "knock"), /while ban/);
    room.member(DAVE, "invite", ALICE);
    rejected(room.checkMember(DAVE, DAVE, "knock"), /while invite/);
  });
});

describe("v12 room creators in membership rules", () => {
  it("an additional creator has infinite power: can ban a user at 100, and cannot be kicked", () => {
    const room = new TestRoom("12", {
      createContent: { additional_creators: [CAROL] },
      powerLevels: { users: { [BOB]: 100 } },
    });
    allowed(room.checkMember(CAROL, BOB, "ban"));
    rejected(room.checkMember(BOB, CAROL, "leave"), /above the target/);
    rejected(room.checkMember(BOB, ALICE, "ban"), /above the target/);
  });

  it("creators cannot act on each other (infinity is not above infinity)", () => {
    const room = new TestRoom("12", { createContent: { additional_creators: [CAROL] } });
    rejected(room.checkMember(ALICE, CAROL, "ban"), /above the target/);
  });

  it("in v11 additional_creators confers nothing", () => {
    const room = new TestRoom("11", { createContent: { additional_creators: [CAROL] } });
    rejected(room.checkMember(CAROL, DAVE, "ban"), /ban level/);
  });
});
