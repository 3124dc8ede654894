import { describe, expect, it } from "vitest";
import { checkRoomIdOrAlias, isValidServerName } from "./server-name.js";

describe("server names (the spec's appendix grammar)", () => {
  it.each(["example.org", "example.org:8448", "localhost", "1.2.3.4", "1.2.3.4:80", "[::1]", "[2001:db8::1]:8448", "a".repeat(255)])("accepts %s", (name) => {
    expect(isValidServerName(name)).toBe(true);
  });
  it.each([
    ["a port above 65535", "localhost:99999"],
    ["port 0", "localhost:0"],
    ["an empty port", "localhost:"],
    ["a 300-character host", "a".repeat(300)],
    ["an empty name", ""],
    ["an underscore", "bad_host.example"],
    ["a space", "bad host"],
    ["U+0000", "bad\u0000.example"],
    ["a replacement character (invalid UTF-8 decoded)", "b\uFFFDd.example"],
    ["unclosed IPv6 brackets", "[::1"],
    ["an IPv6 literal without brackets", "::1"],
    ["a bracketed name that is not IPv6", "[example.org]"],
    ["a path", "example.org/x"],
  ])("refuses %s", (_what, name) => {
    expect(isValidServerName(name)).toBe(false);
  });
  it("room ids and aliases: the server part is checked, v12 room ids have none", () => {
    expect(() => checkRoomIdOrAlias("!abcdef")).not.toThrow();
    expect(() => checkRoomIdOrAlias("!abc:example.org")).not.toThrow();
    expect(() => checkRoomIdOrAlias("#room:example.org:8448")).not.toThrow();
    for (const bad of ["!x:localhost:99999", `#a:${"h".repeat(300)}`, "#nocolon", "!", "room", "!x:"]) {
      expect(() => checkRoomIdOrAlias(bad), bad).toThrow(expect.objectContaining({ errcode: "M_INVALID_PARAM", status: 400 }));
    }
  });
});
