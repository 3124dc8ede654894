import { describe, expect, it } from "vitest";
import {
  DEFAULT_ROOM_VERSION,
  KNOWN_ROOM_VERSIONS,
  getRoomVersion,
  requireRoomVersion,
  roomVersionsCapability,
  UnsupportedRoomVersionError,
  type RoomVersion,
} from "./room-versions.js";

const ids = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
const n = (v: RoomVersion) => Number(v.id);

describe("room version table", () => {
  it("knows exactly the stable versions 1 to 12, oldest first", () => {
    expect([...KNOWN_ROOM_VERSIONS]).toEqual(ids);
  });

  it("defaults new rooms to version 12, as Synapse 1.163 does", () => {
    expect(DEFAULT_ROOM_VERSION).toBe("12");
    expect(getRoomVersion(DEFAULT_ROOM_VERSION)).toBeDefined();
  });

  it("returns undefined for an unknown version and requireRoomVersion throws", () => {
    expect(getRoomVersion("13")).toBeUndefined();
    expect(getRoomVersion("org.matrix.msc1234")).toBeUndefined();
    expect(() => requireRoomVersion("0")).toThrow(UnsupportedRoomVersionError);
    expect(requireRoomVersion("10").id).toBe("10");
  });

  it("rows are frozen so no caller can change behaviour for everyone", () => {
    const v = requireRoomVersion("1");
    expect(Object.isFrozen(v)).toBe(true);
  });

  // Each feature against the version that introduced it (spec feature matrix).
  const features: Array<[string, (v: RoomVersion) => unknown, (v: number) => unknown]> = [
    ["event ids are server-generated in v1-2, base64 in v3, url-safe base64 from v4", (v) => v.eventIdFormat,
      (i) => (i <= 2 ? "server-generated" : i === 3 ? "base64" : "url-safe-base64")],
    ["state res v1 in v1, v2 in v2-11, v2.1 in v12", (v) => v.stateRes, (i) => (i === 1 ? "v1" : i <= 11 ? "v2" : "v2.1")],
    ["strict canonical JSON from v6", (v) => v.strictCanonicalJson, (i) => i >= 6],
    ["signing key validity enforced from v5", (v) => v.enforceKeyValidity, (i) => i >= 5],
    ["m.room.aliases special auth rule in v1-5", (v) => v.specialCaseAliasesAuth, (i) => i <= 5],
    ["notifications power levels checked from v6", (v) => v.limitNotificationsPowerLevels, (i) => i >= 6],
    ["knocking from v7", (v) => v.knocking, (i) => i >= 7],
    ["restricted joins from v8", (v) => v.restrictedJoins, (i) => i >= 8],
    ["knock_restricted from v10", (v) => v.knockRestricted, (i) => i >= 10],
    ["integer-only power levels from v10", (v) => v.integerPowerLevels, (i) => i >= 10],
    ["redacts moves into content in v11", (v) => v.redactsInContent, (i) => i >= 11],
    ["create event carries creator up to v10", (v) => v.createEventHasCreator, (i) => i <= 10],
    ["room id derived from the create event in v12", (v) => v.roomIdFromCreateEvent, (i) => i === 12],
    ["creators have infinite power in v12", (v) => v.creatorsHavePrivilege, (i) => i === 12],
    ["redaction is an auth rule only in v1-2", (v) => v.redactionInAuthRules, (i) => i <= 2],
    ["event-id domain must sign only in v1-2", (v) => v.signedByEventIdDomain, (i) => i <= 2],
    ["redaction algorithm changes in v6, v8, v9, v11", (v) => v.redactionRules.name,
      (i) => (i <= 5 ? "v1" : i <= 7 ? "v6" : i === 8 ? "v8" : i <= 10 ? "v9" : "v11")],
  ];
  for (const [name, get, expected] of features) {
    it(name, () => {
      for (const id of ids) {
        const v = requireRoomVersion(id);
        expect(get(v), `room version ${id}`).toEqual(expected(n(v)));
      }
    });
  }

  it("advertises every version as stable in the capability, with the default", () => {
    const cap = roomVersionsCapability();
    expect(cap.default).toBe("12");
    expect(Object.keys(cap.available)).toEqual(ids);
    expect(new Set(Object.values(cap.available))).toEqual(new Set(["stable"]));
  });
});
