import { lookup, resolveSrv } from "node:dns/promises";

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The DNS questions server discovery asks; injected so tests need no real DNS. */
export interface DnsResolver {
  /** SRV records for `name`; empty when there are none or the lookup fails. */
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** Every address (IPv6 and IPv4) for `hostname`; empty when it does not resolve. */
  lookup(hostname: string): Promise<string[]>;
}

export const systemDns: DnsResolver = {
  async resolveSrv(name) {
    try {
      return await resolveSrv(name);
    } catch {
      return [];
    }
  },
  async lookup(hostname) {
    try {
      // getaddrinfo, so /etc/hosts applies as it does for every other program on the machine.
      return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return [];
    }
  },
};
