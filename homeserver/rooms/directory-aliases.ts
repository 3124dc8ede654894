import { errors } from "../errors.js";
import { isValidServerName } from "../server-name.js";

/** The appendix caps every identifier, sigil and domain included, at 255 bytes. */
const MAX_ALIAS_BYTES = 255;
/** A server name: a DNS name, an IPv4 literal or a bracketed IPv6 literal, with an optional port. */

export interface RoomAlias {
  alias: string;
  localpart: string;
  serverName: string;
}

/** Splits `#localpart:server`; throws M_INVALID_PARAM when the text is not a room alias. */
export function parseRoomAlias(alias: string): RoomAlias {
  if (!alias.startsWith("#")) throw errors.invalidParam("Room alias must start with '#'");
  const colon = alias.indexOf(":");
  if (colon < 0) throw errors.invalidParam("Room alias must have a server name");
  const serverName = alias.slice(colon + 1);
  if (!isValidServerName(serverName)) throw errors.invalidParam("Room alias has an invalid server name");
  if (Buffer.byteLength(alias, "utf8") > MAX_ALIAS_BYTES) {
    throw errors.invalidParam(`Room alias may not be longer than ${MAX_ALIAS_BYTES} bytes`);
  }
  return { alias, localpart: alias.slice(1, colon), serverName };
}

/**
 * The stricter rules for an alias this server is asked to create: it must be ours (only the alias's server
 * may answer for it over federation), and, as Synapse also insists, non-empty and free of whitespace and NUL,
 * which no client could display or type back.
 */
export function parseNewLocalAlias(alias: string, serverName: string): RoomAlias {
  const parsed = parseRoomAlias(alias);
  if (parsed.serverName !== serverName) throw errors.invalidParam(`Room alias must be on this server (${serverName})`);
  if (parsed.localpart === "") throw errors.invalidParam("Room alias localpart may not be empty");
  if (/[\s\u0000]/u.test(parsed.localpart)) throw errors.invalidParam("Room alias may not contain whitespace");
  return parsed;
}

/** The server part of a user id or alias, for listing the servers that know a room. */
export function serverOf(id: string): string {
  return id.slice(id.indexOf(":") + 1);
}
