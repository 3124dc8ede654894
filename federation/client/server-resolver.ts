import type { DnsResolver, SrvRecord } from "./dns.js";
import { formatHost, parseServerName } from "./server-name.js";
import type { WellKnownResolver } from "./well-known.js";

export const DEFAULT_FEDERATION_PORT = 8448;

export interface ResolvedServer {
  /** Where to connect, in order of preference (SRV may give several); host is a hostname or an IP address. */
  targets: Array<{ host: string; port: number }>;
  /** The Host header to send. */
  hostHeader: string;
  /** The name the certificate must be valid for and the SNI to send; undefined for IP addresses (no SNI). */
  tlsServerName: string | undefined;
}

export class ServerNameError extends Error {
  override name = "ServerNameError";
}

/**
 * RFC 2782 order: lowest priority first; within one priority a weighted random order, so load spreads as the
 * weights say. `random` is injectable for tests.
 */
export function orderSrvRecords(records: SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const record of records) byPriority.set(record.priority, [...(byPriority.get(record.priority) ?? []), record]);
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const remaining = [...byPriority.get(priority)!];
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, r) => sum + r.weight, 0);
      let pick = 0;
      if (total > 0) {
        let threshold = random() * total;
        pick = remaining.findIndex((r) => (threshold -= r.weight) < 0);
        if (pick < 0) pick = remaining.length - 1;
      }
      ordered.push(remaining.splice(pick, 1)[0]);
    }
  }
  return ordered;
}

/** Server discovery as the spec's "Resolving server names" describes it. */
export class ServerResolver {
  constructor(
    private readonly dns: DnsResolver,
    private readonly wellKnown: WellKnownResolver,
    private readonly random: () => number = Math.random,
  ) {}

  async resolve(serverName: string): Promise<ResolvedServer> {
    const parsed = parseServerName(serverName);
    if (!parsed) throw new ServerNameError(`invalid server name ${JSON.stringify(serverName)}`);
    // Steps 1 and 2: an IP literal, or any explicit port, is used as it is.
    if (parsed.isIpLiteral || parsed.port !== undefined) {
      return {
        targets: [{ host: parsed.host, port: parsed.port ?? DEFAULT_FEDERATION_PORT }],
        hostHeader: serverName,
        tlsServerName: parsed.isIpLiteral ? undefined : parsed.host,
      };
    }
    // Step 3: delegation through .well-known.
    const delegated = await this.wellKnown.lookup(parsed.host);
    const target = delegated === undefined ? undefined : parseServerName(delegated);
    if (target) {
      if (target.isIpLiteral || target.port !== undefined) {
        return {
          targets: [{ host: target.host, port: target.port ?? DEFAULT_FEDERATION_PORT }],
          hostHeader: formatHost(target.host, target.port),
          tlsServerName: target.isIpLiteral ? undefined : target.host,
        };
      }
      return this.viaSrv(target.host);
    }
    // Steps 4 and 5: SRV on the server name itself, then the name on port 8448.
    return this.viaSrv(parsed.host);
  }

  /** `_matrix-fed._tcp` first, then the deprecated `_matrix._tcp`; the certificate is always for `hostname`. */
  private async viaSrv(hostname: string): Promise<ResolvedServer> {
    let records = await this.dns.resolveSrv(`_matrix-fed._tcp.${hostname}`);
    if (records.length === 0) records = await this.dns.resolveSrv(`_matrix._tcp.${hostname}`);
    // A single "." target means the service is decidedly not available there.
    records = records.filter((r) => r.name !== "" && r.name !== ".");
    const targets =
      records.length > 0
        ? orderSrvRecords(records, this.random).map((r) => ({ host: r.name.replace(/\.$/, ""), port: r.port }))
        : [{ host: hostname, port: DEFAULT_FEDERATION_PORT }];
    return { targets, hostHeader: hostname, tlsServerName: hostname };
  }
}
