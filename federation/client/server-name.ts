import { isIP } from "node:net";

// One grammar for the whole server: the core checks client input with it before anything reaches us.
export { parseServerName, type ParsedServerName } from "../../homeserver/server-name.js";

/** Host as written in a URL or Host header: IPv6 in brackets. */
export function formatHost(host: string, port?: number): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
