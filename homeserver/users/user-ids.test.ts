import { describe, expect, it } from "vitest";
import { MatrixError } from "../errors.js";
import { checkNewLocalpart, localUserIdFromIdentifier, parseUserId } from "./user-ids.js";

const errcodeOf = (work: () => void): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as MatrixError).errcode;
  }
};

describe("user ids", () => {
  it("accepts localparts made of the spec's grammar a-z 0-9 . _ = - / +", () => {
    expect(errcodeOf(() => checkNewLocalpart("alice.b_c=d-e/f+g9", "example.org"))).toBeUndefined();
  });

  it.each([["Upper"], ["with space"], ["émile"], ["colon:x"], [""], ["_bridge"], ["12345"]])(
    "rejects the new localpart %j with M_INVALID_USERNAME",
    (localpart) => {
      expect(errcodeOf(() => checkNewLocalpart(localpart, "example.org"))).toBe("M_INVALID_USERNAME");
    },
  );

  it("limits the whole user id, not just the localpart, to 255 bytes", () => {
    const server = "example.org"; // "@" + ":" + 11 = 13 bytes around the localpart
    expect(errcodeOf(() => checkNewLocalpart("a".repeat(242), server))).toBeUndefined();
    expect(errcodeOf(() => checkNewLocalpart("a".repeat(243), server))).toBe("M_INVALID_USERNAME");
  });

  it("parses user ids, splitting at the first colon so server names may carry a port", () => {
    expect(parseUserId("@alice:example.org:8448")).toEqual({ localpart: "alice", serverName: "example.org:8448" });
    expect(parseUserId("alice:example.org")).toBeUndefined();
    expect(parseUserId("@alice")).toBeUndefined();
  });

  it("maps login identifiers to local user ids, lower-casing, and refuses other servers' ids", () => {
    expect(localUserIdFromIdentifier("Alice", "example.org")).toBe("@alice:example.org");
    expect(localUserIdFromIdentifier("@Alice:example.org", "example.org")).toBe("@alice:example.org");
    expect(localUserIdFromIdentifier("@alice:elsewhere.org", "example.org")).toBeUndefined();
    expect(localUserIdFromIdentifier("", "example.org")).toBeUndefined();
  });
});
