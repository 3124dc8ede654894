import { describe, expect, it } from "vitest";
import { parseNewLocalAlias, parseRoomAlias } from "./directory-aliases.js";

describe("room alias grammar", () => {
  it("splits #localpart:server at the first colon, keeping a port in the server name", () => {
    expect(parseRoomAlias("#chat:example.org:8448")).toEqual({ alias: "#chat:example.org:8448", localpart: "chat", serverName: "example.org:8448" });
    expect(parseRoomAlias("#☕:[::1]").serverName).toBe("[::1]");
  });

  it.each([
    ["no sigil", "chat:example.org"],
    ["the wrong sigil", "!chat:example.org"],
    ["no server name", "#chat"],
    ["an empty server name", "#chat:"],
    ["a server name with a slash", "#chat:exa/mple.org"],
    ["more than 255 bytes", `#${"é".repeat(130)}:example.org`],
  ])("rejects an alias with %s as M_INVALID_PARAM", (_why, alias) => {
    expect(() => parseRoomAlias(alias)).toThrow(expect.objectContaining({ errcode: "M_INVALID_PARAM", status: 400 }));
  });

  it("creates aliases only on this server, with a non-empty localpart free of whitespace", () => {
    expect(parseNewLocalAlias("#ok:here", "here").localpart).toBe("ok");
    for (const alias of ["#ok:elsewhere", "#:here", "#two words:here", "#tab\t:here", "#nul\u0000:here"]) {
      expect(() => parseNewLocalAlias(alias, "here")).toThrow(expect.objectContaining({ errcode: "M_INVALID_PARAM" }));
    }
  });
});
