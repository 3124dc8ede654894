import { describe, expect, it } from "vitest";
import type { DnsResolver, SrvRecord } from "./dns.js";
import { orderSrvRecords, ServerNameError, ServerResolver } from "./server-resolver.js";
import { WellKnownResolver, type WellKnownHttpResponse } from "./well-known.js";

function setup(options: { wellKnown?: Record<string, string>; srv?: Record<string, SrvRecord[]> } = {}) {
  const asked: string[] = [];
  const dns: DnsResolver = {
    resolveSrv: async (name) => {
      asked.push(name);
      return options.srv?.[name] ?? [];
    },
    lookup: async () => [],
  };
  const fetcher = async (hostname: string): Promise<WellKnownHttpResponse> => {
    const server = options.wellKnown?.[hostname];
    if (server === undefined) return { status: 404, headers: {}, body: "" };
    return { status: 200, headers: {}, body: JSON.stringify({ "m.server": server }) };
  };
  return { asked, resolver: new ServerResolver(dns, new WellKnownResolver(fetcher, { now: () => 0 }), () => 0) };
}

const srv = (name: string, port: number, priority = 10, weight = 0): SrvRecord => ({ name, port, priority, weight });

describe("resolving server names (spec: Server discovery)", () => {
  it("uses an IP literal as it is, on 8448 by default, without SNI", async () => {
    const { resolver, asked } = setup();
    expect(await resolver.resolve("1.2.3.4")).toEqual({ targets: [{ host: "1.2.3.4", port: 8448 }], hostHeader: "1.2.3.4", tlsServerName: undefined });
    expect(await resolver.resolve("[2001:db8::1]:8000")).toEqual({ targets: [{ host: "2001:db8::1", port: 8000 }], hostHeader: "[2001:db8::1]:8000", tlsServerName: undefined });
    expect(asked).toEqual([]);
  });

  it("uses an explicit port directly, with the server name as Host and the hostname for TLS", async () => {
    const { resolver, asked } = setup({ wellKnown: { "example.org": "elsewhere.example" } });
    expect(await resolver.resolve("example.org:8449")).toEqual({ targets: [{ host: "example.org", port: 8449 }], hostHeader: "example.org:8449", tlsServerName: "example.org" });
    expect(asked).toEqual([]);
  });

  it("follows well-known delegation to a name with a port", async () => {
    const { resolver } = setup({ wellKnown: { "example.org": "matrix.example.net:443" } });
    expect(await resolver.resolve("example.org")).toEqual({
      targets: [{ host: "matrix.example.net", port: 443 }],
      hostHeader: "matrix.example.net:443",
      tlsServerName: "matrix.example.net",
    });
  });

  it("follows well-known delegation to an IP literal, on 8448 when no port is given", async () => {
    const { resolver } = setup({ wellKnown: { "example.org": "5.6.7.8" } });
    expect(await resolver.resolve("example.org")).toEqual({ targets: [{ host: "5.6.7.8", port: 8448 }], hostHeader: "5.6.7.8", tlsServerName: undefined });
  });

  it("looks up SRV for a delegated name without a port, keeping the delegated name for Host and TLS", async () => {
    const { resolver, asked } = setup({
      wellKnown: { "example.org": "matrix.example.net" },
      srv: { "_matrix-fed._tcp.matrix.example.net": [srv("fed1.example.net.", 8443)] },
    });
    expect(await resolver.resolve("example.org")).toEqual({ targets: [{ host: "fed1.example.net", port: 8443 }], hostHeader: "matrix.example.net", tlsServerName: "matrix.example.net" });
    expect(asked).toEqual(["_matrix-fed._tcp.matrix.example.net"]);
  });

  it("falls back to the legacy _matrix._tcp SRV record, then to port 8448", async () => {
    const legacy = setup({ srv: { "_matrix._tcp.example.org": [srv("old.example.org", 9000)] } });
    expect(await legacy.resolver.resolve("example.org")).toEqual({ targets: [{ host: "old.example.org", port: 9000 }], hostHeader: "example.org", tlsServerName: "example.org" });
    expect(legacy.asked).toEqual(["_matrix-fed._tcp.example.org", "_matrix._tcp.example.org"]);

    const nothing = setup();
    expect(await nothing.resolver.resolve("example.org")).toEqual({ targets: [{ host: "example.org", port: 8448 }], hostHeader: "example.org", tlsServerName: "example.org" });
  });

  it("ignores a well-known answer that is not a valid server name", async () => {
    const { resolver } = setup({ wellKnown: { "example.org": "bad name" } });
    expect((await resolver.resolve("example.org")).targets).toEqual([{ host: "example.org", port: 8448 }]);
  });

  it("treats a '.' SRV target as no service", async () => {
    const { resolver } = setup({ srv: { "_matrix-fed._tcp.example.org": [srv(".", 0)] } });
    expect((await resolver.resolve("example.org")).targets).toEqual([{ host: "example.org", port: 8448 }]);
  });

  it("refuses invalid server names", async () => {
    const { resolver } = setup();
    for (const name of ["", "exa mple.org", "example.org:", "example.org:99999", "[::1", "[zz]:80"]) {
      await expect(resolver.resolve(name)).rejects.toThrow(ServerNameError);
    }
  });
});

describe("SRV ordering (RFC 2782)", () => {
  it("puts lower priority first whatever the weights", () => {
    const ordered = orderSrvRecords([srv("c", 1, 30, 100), srv("a", 1, 10, 0), srv("b", 1, 20, 50)], () => 0.99);
    expect(ordered.map((r) => r.name)).toEqual(["a", "b", "c"]);
  });

  it("orders records of one priority by weighted random choice", () => {
    const records = [srv("light", 1, 10, 1), srv("heavy", 1, 10, 9)];
    expect(orderSrvRecords(records, () => 0.05).map((r) => r.name)).toEqual(["light", "heavy"]);
    expect(orderSrvRecords(records, () => 0.5).map((r) => r.name)).toEqual(["heavy", "light"]);
  });
});
