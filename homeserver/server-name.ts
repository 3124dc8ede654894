import { isIP } from "node:net";
import { errors } from "./errors.js";

/** The appendix's dns-name: 1 to 255 of letters, digits, "-" and ".". */
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;

export interface ParsedServerName {
  /** Hostname or IP address, IPv6 without brackets. */
  host: string;
  port: number | undefined;
  isIpLiteral: boolean;
}

/**
 * Splits a server name as the spec's appendix defines it: a DNS name, an IPv4 address or a bracketed IPv6
 * address, with an optional port (which must also be a real port, 1 to 65535); undefined when invalid.
 */
export function parseServerName(name: string): ParsedServerName | undefined {
  let host: string;
  let portText: string | undefined;
  if (name.startsWith("[")) {
    const close = name.indexOf("]");
    if (close < 0) return undefined;
    host = name.slice(1, close);
    const rest = name.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return undefined;
    portText = rest === "" ? undefined : rest.slice(1);
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = name.lastIndexOf(":");
    host = colon < 0 ? name : name.slice(0, colon);
    portText = colon < 0 ? undefined : name.slice(colon + 1);
    if (!DNS_NAME.test(host)) return undefined;
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }
  return { host, port, isIpLiteral: isIP(host) !== 0 };
}

/**
 * Checked before a name reaches the federation client, so that a malformed one is the client's mistake
 * (400), not a failed request (502).
 */
export function isValidServerName(name: string): boolean {
  return parseServerName(name) !== undefined;
}

/** Throws M_INVALID_PARAM naming `what` unless `name` is a valid server name. */
export function checkServerName(name: string, what: string): void {
  if (!isValidServerName(name)) throw errors.invalidParam(`${what}: ${JSON.stringify(name.slice(0, 100))} is not a valid server name`);
}

/**
 * Throws M_INVALID_PARAM unless `id` is shaped like a room id (`!opaque`, or `!opaque:server` before room
 * version 12) or an alias (`#localpart:server`) with a valid server name.
 */
export function checkRoomIdOrAlias(id: string): void {
  const sigil = id[0];
  const colon = id.indexOf(":");
  if (sigil === "!") {
    if (id.length < 2 || colon === 1) throw errors.invalidParam("Invalid room id");
    if (colon > 0) checkServerName(id.slice(colon + 1), "room id");
    return;
  }
  if (sigil === "#") {
    if (colon < 1) throw errors.invalidParam("Invalid room alias");
    checkServerName(id.slice(colon + 1), "room alias");
    return;
  }
  throw errors.invalidParam("Expected a room id (!...) or a room alias (#...)");
}

/** Throws M_INVALID_PARAM unless `id` is shaped like a user id (`@localpart:server`) with a valid server name. */
export function checkUserId(id: string, what = "user_id"): void {
  const colon = id.indexOf(":");
  if (!id.startsWith("@") || colon < 2) throw errors.invalidParam(`${what}: expected a user id (@localpart:server)`);
  checkServerName(id.slice(colon + 1), what);
}
