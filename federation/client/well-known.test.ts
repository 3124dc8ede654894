import { describe, expect, it } from "vitest";
import {
  cachePeriodOf,
  WELL_KNOWN_DEFAULT_CACHE_MS,
  WELL_KNOWN_ERROR_CACHE_MS,
  WELL_KNOWN_MAX_CACHE_MS,
  WellKnownResolver,
  type WellKnownHttpResponse,
} from "./well-known.js";

function fakeFetcher(responses: Record<string, WellKnownHttpResponse | Error>) {
  const calls: string[] = [];
  const fetcher = async (hostname: string) => {
    calls.push(hostname);
    const response = responses[hostname];
    if (response instanceof Error || response === undefined) throw response ?? new Error("unreachable");
    return response;
  };
  return { calls, fetcher };
}

const ok = (server: string, headers: Record<string, string> = {}): WellKnownHttpResponse => ({ status: 200, headers, body: JSON.stringify({ "m.server": server }) });

describe("/.well-known/matrix/server lookups", () => {
  it("caches a delegation for 24 hours without Cache-Control", async () => {
    let now = 0;
    const { calls, fetcher } = fakeFetcher({ "example.org": ok("matrix.example.org:443") });
    const resolver = new WellKnownResolver(fetcher, { now: () => now });
    expect(await resolver.lookup("example.org")).toBe("matrix.example.org:443");
    now = WELL_KNOWN_DEFAULT_CACHE_MS - 1;
    expect(await resolver.lookup("example.org")).toBe("matrix.example.org:443");
    expect(calls).toHaveLength(1);
    now = WELL_KNOWN_DEFAULT_CACHE_MS;
    await resolver.lookup("example.org");
    expect(calls).toHaveLength(2);
  });

  it("respects Cache-Control max-age but never beyond 48 hours", () => {
    expect(cachePeriodOf({ "cache-control": "public, max-age=7200" })).toBe(7_200_000);
    expect(cachePeriodOf({ "cache-control": "max-age=999999999" })).toBe(WELL_KNOWN_MAX_CACHE_MS);
    expect(cachePeriodOf({})).toBe(WELL_KNOWN_DEFAULT_CACHE_MS);
  });

  it("caches errors and invalid answers for an hour", async () => {
    let now = 0;
    const { calls, fetcher } = fakeFetcher({
      "down.example": new Error("ECONNREFUSED"),
      "html.example": { status: 200, headers: {}, body: "<html>" },
      "404.example": { status: 404, headers: {}, body: "{}" },
      "bad.example": ok("not a server name!"),
    });
    const resolver = new WellKnownResolver(fetcher, { now: () => now });
    for (const host of ["down.example", "html.example", "404.example", "bad.example"]) expect(await resolver.lookup(host)).toBeUndefined();
    now = WELL_KNOWN_ERROR_CACHE_MS - 1;
    for (const host of ["down.example", "html.example", "404.example", "bad.example"]) await resolver.lookup(host);
    expect(calls).toHaveLength(4);
    now = WELL_KNOWN_ERROR_CACHE_MS;
    await resolver.lookup("down.example");
    expect(calls).toHaveLength(5);
  });

  it("shares one fetch between concurrent lookups of a host", async () => {
    const { calls, fetcher } = fakeFetcher({ "example.org": ok("m.example.org") });
    const resolver = new WellKnownResolver(fetcher, { now: () => 0 });
    const results = await Promise.all([resolver.lookup("example.org"), resolver.lookup("example.org"), resolver.lookup("example.org")]);
    expect(results).toEqual(["m.example.org", "m.example.org", "m.example.org"]);
    expect(calls).toHaveLength(1);
  });
});
