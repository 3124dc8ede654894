import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { buildConfig } from "./config.js";
import { DEFAULT_IP_RANGE_BLOCKLIST } from "./config-schema.js";
import { SAMPLE_CONFIG } from "../app/sample-config.js";
import { IpRangeFilter } from "./ip-ranges.js";

describe("IP range filter for outgoing requests", () => {
  const filter = new IpRangeFilter(DEFAULT_IP_RANGE_BLOCKLIST, []);

  it.each(["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fd00::1", "0.0.0.0", "::"])(
    "refuses %s by default",
    (address) => expect(filter.isAllowed(address)).toBe(false),
  );

  it("refuses IPv4-mapped IPv6 forms of blocked IPv4 addresses", () => {
    expect(filter.isAllowed("::ffff:127.0.0.1")).toBe(false);
    expect(filter.isAllowed("::ffff:a9fe:a9fe")).toBe(false); // 169.254.169.254
  });

  it("allows public addresses", () => {
    expect(filter.isAllowed("8.8.8.8")).toBe(true);
    expect(filter.isAllowed("2606:4700::1111")).toBe(true);
  });

  it("lets the allowlist open a blocked range without opening the rest", () => {
    const loopback = new IpRangeFilter(DEFAULT_IP_RANGE_BLOCKLIST, ["127.0.0.0/8"]);
    expect(loopback.isAllowed("127.0.0.1")).toBe(true);
    expect(loopback.isAllowed("10.0.0.1")).toBe(false);
  });

  it("refuses what is not an IP address at all", () => {
    expect(filter.isAllowed("localhost")).toBe(false);
  });

  it("rejects a malformed range at startup", () => {
    expect(() => new IpRangeFilter(["10.0.0.0/33"], [])).toThrow(/invalid IP range/);
    expect(() => new IpRangeFilter(["nonsense"], [])).toThrow(/invalid IP range/);
  });

  it("is what config.sample.yaml documents as the default", () => {
    expect(buildConfig({}).federation.ip_range_blocklist).toEqual(DEFAULT_IP_RANGE_BLOCKLIST);
    expect(buildConfig(YAML.parse(SAMPLE_CONFIG)).federation).toEqual(buildConfig({}).federation);
  });
});
