import type { Clock } from "../clock.js";
import { parseServerName } from "./server-name.js";

export interface WellKnownHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GETs https://<hostname>/.well-known/matrix/server (following redirects); throws on network failure. */
export type WellKnownFetcher = (hostname: string) => Promise<WellKnownHttpResponse>;

// The spec's recommendations: respect Cache-Control, default 24 h, at most 48 h, errors for an hour.
export const WELL_KNOWN_DEFAULT_CACHE_MS = 24 * 60 * 60 * 1000;
export const WELL_KNOWN_MAX_CACHE_MS = 48 * 60 * 60 * 1000;
export const WELL_KNOWN_ERROR_CACHE_MS = 60 * 60 * 1000;
// Not from the spec: a floor so "max-age=0" does not turn every request into a well-known fetch.
export const WELL_KNOWN_MIN_CACHE_MS = 5 * 60 * 1000;

interface Entry {
  server: string | undefined;
  expiresAt: number;
}

function headerValue(headers: WellKnownHttpResponse["headers"], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** How long to keep a good answer: Cache-Control max-age within [5 min, 48 h], else 24 h. */
export function cachePeriodOf(headers: WellKnownHttpResponse["headers"]): number {
  const cacheControl = headerValue(headers, "cache-control")?.toLowerCase() ?? "";
  const directives = cacheControl.split(",").map((d) => d.trim());
  if (directives.includes("no-store") || directives.includes("no-cache")) return WELL_KNOWN_MIN_CACHE_MS;
  const maxAge = directives.find((d) => d.startsWith("max-age="));
  if (maxAge) {
    const seconds = Number(maxAge.slice("max-age=".length));
    if (Number.isFinite(seconds) && seconds >= 0) {
      return Math.min(Math.max(seconds * 1000, WELL_KNOWN_MIN_CACHE_MS), WELL_KNOWN_MAX_CACHE_MS);
    }
  }
  return WELL_KNOWN_DEFAULT_CACHE_MS;
}

/** The delegated server name, or undefined when the response is not a valid delegation. */
export function delegationOf(response: WellKnownHttpResponse): string | undefined {
  if (response.status !== 200) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const server = (json as Record<string, unknown>)["m.server"];
  return typeof server === "string" && parseServerName(server) ? server : undefined;
}

/** `/.well-known/matrix/server` lookups with the spec's caching; concurrent lookups of one host share a fetch. */
export class WellKnownResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly fetcher: WellKnownFetcher,
    private readonly clock: Clock,
  ) {}

  async lookup(hostname: string): Promise<string | undefined> {
    const cached = this.cache.get(hostname);
    if (cached && cached.expiresAt > this.clock.now()) return cached.server;
    let pending = this.inFlight.get(hostname);
    if (!pending) {
      pending = this.fetch(hostname).finally(() => this.inFlight.delete(hostname));
      this.inFlight.set(hostname, pending);
    }
    return pending;
  }

  private async fetch(hostname: string): Promise<string | undefined> {
    let entry: Entry;
    try {
      const response = await this.fetcher(hostname);
      const server = delegationOf(response);
      const period = server === undefined ? WELL_KNOWN_ERROR_CACHE_MS : cachePeriodOf(response.headers);
      entry = { server, expiresAt: this.clock.now() + period };
    } catch {
      entry = { server: undefined, expiresAt: this.clock.now() + WELL_KNOWN_ERROR_CACHE_MS };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hostname, entry);
    return entry.server;
  }
}
