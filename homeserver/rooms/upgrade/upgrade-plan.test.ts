import { describe, expect, it } from "vitest";
import { splitCanonicalAlias } from "./canonical-alias-split.js";
import { restrictedPowerLevels } from "./upgrade-plan.js";

describe("after an upgrade", () => {
  it("the old room needs a moderator to speak or invite, and more than the default user level", () => {
    expect(restrictedPowerLevels({ users: {}, events_default: 0, invite: 0 })).toEqual({ users: {}, events_default: 50, invite: 50 });
    expect(restrictedPowerLevels({ users_default: 60 })).toEqual({ users_default: 60, events_default: 61, invite: 61 });
    expect(restrictedPowerLevels({ events_default: 100, invite: 75 })).toBeUndefined();
  });

  it("our aliases move to the new room's canonical alias event, other servers' stay in the old one's", () => {
    const content = { alias: "#main:here.example", alt_aliases: ["#alt:here.example", "#other:there.example"] };
    expect(splitCanonicalAlias(content, "here.example")).toEqual({
      old: { alt_aliases: ["#other:there.example"] },
      replacement: { alias: "#main:here.example", alt_aliases: ["#alt:here.example"] },
    });
    expect(splitCanonicalAlias({ alias: "#x:there.example" }, "here.example")).toEqual({ old: { alias: "#x:there.example" }, replacement: {} });
  });
});
