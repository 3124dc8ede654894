import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords.js";
import { hashToken, newAccessToken, newDeviceId, newRefreshToken } from "./secrets.js";

describe("password hashes", () => {
  it("verify the right password and refuse a wrong one", async () => {
    const hash = await hashPassword("hunter2");
    expect(await verifyPassword("hunter2", hash)).toBe(true);
    expect(await verifyPassword("hunter3", hash)).toBe(false);
  });

  it("are salted: the same password hashes differently each time, and both verify", async () => {
    const [a, b] = [await hashPassword("same"), await hashPassword("same")];
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
  });

  it("store their scrypt parameters, so hashes made with other parameters still verify", async () => {
    expect(await hashPassword("pw")).toMatch(/^scrypt\$32768\$8\$1\$/);
    const salt = randomBytes(16);
    const key = scryptSync("pw", salt, 32, { N: 1024, r: 8, p: 2 });
    const older = `scrypt$1024$8$2$${salt.toString("base64")}$${key.toString("base64")}`;
    expect(await verifyPassword("pw", older)).toBe(true);
    expect(await verifyPassword("px", older)).toBe(false);
  });

  it("use the configured cost: 2^logN", async () => {
    const cheap = await hashPassword("pw", 10);
    expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword("pw", cheap)).toBe(true);
  });

  it("an unknown user's check refuses any password, at the default and at a configured cost", async () => {
    expect(await burnPasswordCheck("not a real password")).toBe(false);
    expect(await burnPasswordCheck("not a real password", 10)).toBe(false);
  });

  it("treat a malformed stored hash as a mismatch rather than an error", async () => {
    expect(await verifyPassword("pw", "")).toBe(false);
    expect(await verifyPassword("pw", "bcrypt$x")).toBe(false);
    expect(await verifyPassword("pw", "scrypt$x$8$1$aa$bb")).toBe(false);
  });
});

describe("tokens", () => {
  it("are 256-bit random strings with a recognisable prefix, stored only as their sha256", () => {
    const token = newAccessToken();
    expect(token).toMatch(/^mat_[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken()).toMatch(/^mar_/);
    expect(newAccessToken()).not.toBe(token);
    expect(hashToken(token)).toHaveLength(43);
    expect(hashToken(token)).not.toContain(token.slice(4));
  });

  it("device ids are ten capital letters", () => {
    expect(newDeviceId()).toMatch(/^[A-Z]{10}$/);
  });
});
