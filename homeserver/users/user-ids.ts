import { errors } from "../errors.js";

/** The spec's grammar for user id localparts that new accounts must follow (historical ids may be wider). */
const LOCALPART_CHARS = /^[a-z0-9._=\-/+]+$/;
const MAX_USER_ID_BYTES = 255;

export function userIdOf(localpart: string, serverName: string): string {
  return `@${localpart}:${serverName}`;
}

/** Splits `@localpart:server`; undefined when the text is not shaped like a user id. */
export function parseUserId(userId: string): { localpart: string; serverName: string } | undefined {
  if (!userId.startsWith("@")) return undefined;
  const colon = userId.indexOf(":");
  if (colon < 2 || colon === userId.length - 1) return undefined;
  return { localpart: userId.slice(1, colon), serverName: userId.slice(colon + 1) };
}

/** The local user id a login or UIA identifier names: a bare localpart, or a full id on this server. */
export function localUserIdFromIdentifier(user: string, serverName: string): string | undefined {
  if (user.startsWith("@")) {
    const parsed = parseUserId(user);
    if (!parsed || parsed.serverName !== serverName || parsed.localpart.includes("\u0000")) return undefined;
    return userIdOf(parsed.localpart.toLowerCase(), serverName);
  }
  if (user === "" || user.includes("\u0000")) return undefined;
  // Our localparts are all lower case, so a login typed with capitals still finds its account.
  return userIdOf(user.toLowerCase(), serverName);
}

/**
 * Throws M_INVALID_USERNAME for a localpart a new account may not take. Beyond the grammar: an all-digit
 * localpart is kept for generated (guest) ids, and a leading "_" for application services, as Synapse does.
 */
export function checkNewLocalpart(localpart: string, serverName: string): void {
  if (localpart === "") throw errors.invalidUsername("User ID cannot be empty");
  if (!LOCALPART_CHARS.test(localpart)) {
    throw errors.invalidUsername("User ID can only contain characters a-z, 0-9, or '=_-./+'");
  }
  if (localpart.startsWith("_")) throw errors.invalidUsername("User ID may not begin with _");
  if (/^\d+$/.test(localpart)) throw errors.invalidUsername("Numeric user IDs are reserved for guest users");
  if (Buffer.byteLength(userIdOf(localpart, serverName), "utf8") > MAX_USER_ID_BYTES) {
    throw errors.invalidUsername(`User ID may not be longer than ${MAX_USER_ID_BYTES} bytes`);
  }
}
