import { isIP } from "node:net";
import type { HttpTransport } from "./http-transport.js";
import { formatHost } from "./server-name.js";
import type { WellKnownFetcher } from "./well-known.js";

const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 50 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The network side of well-known lookups: a plain GET on the server name's own host (port 443), following
 * redirects but never in a loop, each hop through the same IP filter as federation requests.
 */
export function createWellKnownFetcher(transport: HttpTransport, timeoutMs = 10_000): WellKnownFetcher {
  return async (hostname) => {
    let url = new URL(`${transport.scheme}://${formatHost(hostname)}/.well-known/matrix/server`);
    const seen = new Set<string>();
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (seen.has(url.href)) throw new Error(`redirect loop at ${url.href}`);
      seen.add(url.href);
      if (url.protocol !== `${transport.scheme}:`) throw new Error(`redirect to ${url.protocol} refused`);
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const port = url.port ? Number(url.port) : transport.scheme === "https" ? 443 : 80;
      const response = await transport.send(`well-known:${hostname}`, { host, port }, isIP(host) ? undefined : host, {
        method: "GET",
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, accept: "application/json" },
        timeoutMs,
        maxResponseBytes: MAX_BODY_BYTES,
      });
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.status) && typeof location === "string") {
        url = new URL(location, url);
        continue;
      }
      return response;
    }
    throw new Error("too many redirects");
  };
}
