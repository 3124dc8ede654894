import { describe, expect, it } from "vitest";
import { replacesBackedUpKey } from "./key-replacement.js";

const key = (isVerified: boolean, firstMessageIndex: number, forwardedCount: number) => ({ isVerified, firstMessageIndex, forwardedCount });

describe("which backed-up key the server keeps (spec: Server-side key backups)", () => {
  it("keeps the verified key when the two differ in is_verified, whatever the indexes", () => {
    expect(replacesBackedUpKey(key(false, 0, 0), key(true, 9, 9))).toBe(true);
    expect(replacesBackedUpKey(key(true, 9, 9), key(false, 0, 0))).toBe(false);
  });

  it("between keys equally verified, keeps the lower first_message_index, whatever the forwarded_count", () => {
    expect(replacesBackedUpKey(key(false, 5, 0), key(false, 4, 9))).toBe(true);
    expect(replacesBackedUpKey(key(true, 4, 9), key(true, 5, 0))).toBe(false);
  });

  it("with equal is_verified and first_message_index, keeps the lower forwarded_count", () => {
    expect(replacesBackedUpKey(key(true, 3, 2), key(true, 3, 1))).toBe(true);
    expect(replacesBackedUpKey(key(true, 3, 1), key(true, 3, 2))).toBe(false);
  });

  it("keeps the existing key when the new one is no better (the same key uploaded again)", () => {
    expect(replacesBackedUpKey(key(false, 3, 1), key(false, 3, 1))).toBe(false);
  });
});
