import { describe, expect, it } from "vitest";
import { isMatrixError } from "../../errors.js";
import { formatSearchToken, parseSearchToken } from "./search-token.js";

const refusal = (text: string, order: "rank" | "recent" = "recent") => {
  try {
    parseSearchToken(text, order);
  } catch (error) {
    return isMatrixError(error) ? `${error.status} ${error.errcode}` : "not a MatrixError";
  }
  return "accepted";
};
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("search next_batch tokens", () => {
  it("round-trip the position, the rank and the group", () => {
    for (const token of [
      { order: "recent" as const, streamPos: 42 },
      { order: "recent" as const, streamPos: -7, group: { key: "room_id" as const, value: "!r:test.local" } },
      { order: "rank" as const, streamPos: 3, rank: 0.1 },
      { order: "rank" as const, streamPos: 3, rank: 0.0607927, group: { key: "sender" as const, value: "@ü:test.local" } },
    ]) {
      expect(parseSearchToken(formatSearchToken(token), token.order)).toEqual(token);
    }
  });

  it("refuses anything else with 400 M_INVALID_PARAM", () => {
    for (const text of ["", "not base64!", "x".repeat(2000), encoded([1]), encoded(null), encoded({ o: "recent" }), encoded({ o: "recent", p: 1.5 }),
      encoded({ o: "recent", p: 1, r: 0.5 }), encoded({ o: "soon", p: 1 }), encoded({ o: "recent", p: 1, g: "room_id" }),
      encoded({ o: "recent", p: 1, g: "type", k: "m.room.message" }), encoded({ o: "recent", p: 1, g: "sender", k: "" }), "e30"]) {
      expect(refusal(text)).toBe("400 M_INVALID_PARAM");
    }
    expect(refusal(encoded({ o: "rank", p: 1 }), "rank")).toBe("400 M_INVALID_PARAM");
  });

  it("refuses a token made for the other order", () => {
    expect(refusal(formatSearchToken({ order: "rank", streamPos: 1, rank: 0.5 }), "recent")).toBe("400 M_INVALID_PARAM");
    expect(refusal(formatSearchToken({ order: "recent", streamPos: 1 }), "rank")).toBe("400 M_INVALID_PARAM");
  });
});
