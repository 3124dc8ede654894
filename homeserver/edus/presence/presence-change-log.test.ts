import { describe, expect, it } from "vitest";
import { PresenceChangeLog } from "./presence-change-log.js";

describe("the presence change log", () => {
  it("finds the users changed in (since, to], each once", () => {
    const log = new PresenceChangeLog();
    ["@a:x", "@b:x", "@a:x", "@c:x"].forEach((user, i) => log.add(i + 1, user));
    expect([...log.changedBetween(0, 4)!]).toEqual(["@a:x", "@b:x", "@c:x"]);
    expect([...log.changedBetween(1, 3)!]).toEqual(["@b:x", "@a:x"]);
    expect([...log.changedBetween(4, 4)!]).toEqual([]);
  });

  it("says so when it no longer reaches back to `since`, rather than answering with a gap", () => {
    const log = new PresenceChangeLog(2);
    for (let position = 1; position <= 5; position++) log.add(position, `@u${position}:x`);
    expect(log.changedBetween(0, 5)).toBeUndefined();
    expect([...log.changedBetween(3, 5)!]).toEqual(["@u4:x", "@u5:x"]);
  });
});
