import { describe, expect, it } from "vitest";
import { guestMayCall } from "./guest-access.js";

const route = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, auth: "required" | "optional" | "none" | "expired-allowed" = "required") => ({
  method,
  path: `/_matrix/client/v3${path}`,
  auth,
});

describe("guestMayCall", () => {
  it.each([
    ["GET", "/sync"],
    ["GET", "/rooms/:roomId/messages"],
    ["GET", "/rooms/:roomId/state/:eventType/:stateKey"],
    ["POST", "/rooms/:roomId/join"],
    ["POST", "/join/:roomIdOrAlias"],
    ["PUT", "/rooms/:roomId/send/:eventType/:txnId"],
    ["GET", "/account/whoami"],
    ["POST", "/keys/upload"],
  ] as const)("admits the spec's guest endpoint %s %s", (method, path) => {
    expect(guestMayCall(route(method, path), {})).toBe(true);
  });

  it.each([
    ["POST", "/createRoom"],
    ["POST", "/user_directory/search"],
    ["POST", "/rooms/:roomId/invite"],
    ["POST", "/rooms/:roomId/forget"],
    ["POST", "/logout"],
    ["PUT", "/user/:userId/account_data/:type"],
  ] as const)("refuses %s %s", (method, path) => {
    expect(guestMayCall(route(method, path), {})).toBe(false);
  });

  it("admits endpoints whose token is optional or absent, whatever they are", () => {
    expect(guestMayCall(route("GET", "/profile/:userId", "optional"), {})).toBe(true);
    expect(guestMayCall(route("POST", "/register", "none"), {})).toBe(true);
  });

  it("of the profile fields, lets a guest set only its display name", () => {
    const field = route("PUT", "/profile/:userId/:keyName");
    expect(guestMayCall(field, { keyName: "displayname" })).toBe(true);
    expect(guestMayCall(field, { keyName: "avatar_url" })).toBe(false);
    expect(guestMayCall(route("DELETE", "/profile/:userId/:keyName"), { keyName: "displayname" })).toBe(false);
  });
});
