import { BlockList, isIP } from "node:net";

function addRange(list: BlockList, cidr: string): void {
  const [address, prefixText] = cidr.split("/");
  const family = isIP(address);
  if (family === 0) throw new Error(`invalid IP range ${cidr}`);
  const type = family === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`invalid IP range ${cidr}`);
  list.addSubnet(address, prefix, type);
}

// Connecting to "this host" addresses reaches the local machine whatever the configuration says.
const ALWAYS_BLOCKED = ["0.0.0.0/8", "::/128"];

/**
 * Decides whether an outgoing request (federation, pushers, URL previews) may connect to an address. The allowlist wins over the blocklist, so a
 * test or private deployment can open one range (127.0.0.0/8) without dropping the rest of the defaults.
 * node's BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 ranges.
 */
export class IpRangeFilter {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();

  constructor(blocklist: readonly string[], allowlist: readonly string[]) {
    for (const cidr of [...blocklist, ...ALWAYS_BLOCKED]) addRange(this.blocked, cidr);
    for (const cidr of allowlist) addRange(this.allowed, cidr);
  }

  isAllowed(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? "ipv4" : "ipv6";
    if (this.allowed.check(address, type)) return true;
    return !this.blocked.check(address, type);
  }
}
