import { describe, expect, it } from "vitest";
import type { IdentifiedPdu, JsonObject } from "../pdu.js";
import { requireRoomVersion } from "../room-versions.js";
import { checkEventAuth, stateLookupFromEvents } from "./index.js";
import { ALICE, ALL_VERSIONS, versionsFrom } from "./test-fixtures.js";

const empty = stateLookupFromEvents([]);

function createEvent(versionId: string, overrides: Partial<IdentifiedPdu> = {}, content: JsonObject = {}): IdentifiedPdu {
  const version = requireRoomVersion(versionId);
  const event: IdentifiedPdu = {
    event_id: version.eventIdFormat === "server-generated" ? "$create:a.example" : "$createhash",
    sender: ALICE,
    type: "m.room.create",
    state_key: "",
    content: { room_version: versionId, ...(version.createEventHasCreator ? { creator: ALICE } : {}), ...content },
    origin_server_ts: 1,
    prev_events: [],
    auth_events: [],
    depth: 1,
    ...overrides,
  };
  if (!version.roomIdFromCreateEvent && !("room_id" in overrides)) event.room_id = "!room:a.example";
  return event;
}

const check = (v: string, overrides: Partial<IdentifiedPdu> = {}, content: JsonObject = {}) =>
  checkEventAuth(createEvent(v, overrides, content), empty, requireRoomVersion(v));

describe("rule 1 (m.room.create)", () => {
  it.each(ALL_VERSIONS)("v%s: a well-formed create event is allowed with no state at all", (v) => {
    expect(check(v)).toEqual({ ok: true });
  });

  it.each(ALL_VERSIONS)("v%s: 1.1 a create event with prev_events is rejected", (v) => {
    expect(check(v, { prev_events: ["$earlier"] })).toMatchObject({ ok: false, reason: expect.stringMatching(/prev_events/) });
  });

  it.each(versionsFrom(1, 11))("v%s: 1.2 room_id on another server than the sender is rejected", (v) => {
    expect(check(v, { room_id: "!room:b.example" })).toMatchObject({ ok: false, reason: expect.stringMatching(/domain/) });
    expect(check(v, { room_id: "!room:a.example" }).ok).toBe(true);
  });

  it("v12: 1.2 a create event with any room_id is rejected (the id is its hash)", () => {
    expect(check("12", { room_id: "!room:a.example" })).toMatchObject({ ok: false, reason: expect.stringMatching(/room_id/) });
    expect(check("12").ok).toBe(true);
  });

  it.each(ALL_VERSIONS)("v%s: 1.3 an unknown content.room_version is rejected", (v) => {
    expect(check(v, {}, { room_version: "99" })).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown room version/) });
    expect(check(v, {}, { room_version: 12 as unknown as string })).toMatchObject({ ok: false });
  });

  it("v1: 1.3 an absent room_version means version 1 and is allowed", () => {
    const event = createEvent("1");
    delete event.content["room_version"];
    expect(checkEventAuth(event, empty, requireRoomVersion("1")).ok).toBe(true);
  });

  it.each(ALL_VERSIONS)("v%s: a create event checked under a different version than it declares is rejected", (v) => {
    const other = v === "1" ? "2" : "1";
    expect(check(v, {}, { room_version: other })).toMatchObject({ ok: false, reason: expect.stringMatching(/checked as/) });
  });

  it.each(versionsFrom(1, 10))("v%s: 1.4 content without creator is rejected", (v) => {
    const event = createEvent(v);
    delete event.content["creator"];
    expect(checkEventAuth(event, empty, requireRoomVersion(v))).toMatchObject({ ok: false, reason: expect.stringMatching(/creator/) });
  });

  it.each(versionsFrom(11))("v%s: 1.4 creator is no longer required (the sender is the creator)", (v) => {
    const event = createEvent(v);
    expect("creator" in event.content).toBe(false);
    expect(checkEventAuth(event, empty, requireRoomVersion(v)).ok).toBe(true);
  });

  it("v12: 1.4 additional_creators must be an array of valid user ids", () => {
    expect(check("12", {}, { additional_creators: ["@bob:b.example", "@c:d"] }).ok).toBe(true);
    for (const bad of ["@bob:b.example", ["bob"], [42], ["@nocolon"], [`@${"x".repeat(260)}:b.example`]]) {
      expect(check("12", {}, { additional_creators: bad as JsonObject[string] }), JSON.stringify(bad)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/additional_creators/),
      });
    }
  });

  it("v11: additional_creators has no meaning and is not validated", () => {
    expect(check("11", {}, { additional_creators: "nonsense" }).ok).toBe(true);
  });
});
