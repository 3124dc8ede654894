import { describe, expect, it } from "vitest";
import { formatRoomToken, parseRoomToken } from "./sync-token.js";

describe("room pagination tokens (/messages from and to, /members at)", () => {
  it("read back the positions we issue: live, backfilled (negative), and a sync token's event position", () => {
    expect(parseRoomToken(formatRoomToken(42))).toBe(42);
    expect(parseRoomToken(formatRoomToken(-7))).toBe(-7);
    expect(parseRoomToken("s12_3_4")).toBe(12);
  });

  // Found by homeserver/app/fuzz/: `from=t-99999999999999999999` reached PostgreSQL as a bigint out of range (500).
  it("are refused when the position is beyond any stream position (not a safe integer), as sync tokens are", () => {
    for (const token of ["t-99999999999999999999", "t99999999999999999999", "t9007199254740993", "t-9007199254740993"]) {
      expect(parseRoomToken(token), token).toBeUndefined();
    }
  });
});
