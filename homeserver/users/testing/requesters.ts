import type { Requester } from "../requester.js";

let counter = 0;

/**
 * A requester for the core's services, for tests that need no account (creating and joining rooms do not).
 * Each call names a new user, unique in the process, so tests sharing one server never collide.
 */
export function newUser(name: string, deviceId = "DEVICE"): Requester {
  counter += 1;
  return { userId: `@${name}${counter}-${process.pid}:test.local`, deviceId, isAdmin: false, tokenHash: "" };
}

/** A requester with exactly this user id (e.g. one of a named test server's users). */
export function requesterFor(userId: string, deviceId = "DEVICE"): Requester {
  return { userId, deviceId, isAdmin: false, tokenHash: "" };
}
