import { isIP } from "node:net";

export interface ParsedServerName {
  /** Hostname or IP address, IPv6 without brackets. */
  host: string;
  port: number | undefined;
  isIpLiteral: boolean;
}

const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;

/** Splits a server name (appendix grammar: hostname, IPv4 or [IPv6], optional :port); undefined if invalid. */
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

/** Host as written in a URL or Host header: IPv6 in brackets. */
export function formatHost(host: string, port?: number): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
