import type { SigningKey } from "../homeserver/crypto/signing-key.js";
import type { ServerKeyCache } from "../homeserver/federation-keys/key-cache.js";
import type { LocalServerKeys } from "../homeserver/federation-keys/local-keys.js";
import { systemDns, type DnsResolver } from "./client/dns.js";
import { FederationClient } from "./client/federation-client.js";
import { HttpTransport } from "./client/http-transport.js";
import { IpRangeFilter } from "../homeserver/core/ip-ranges.js";
import { ServerResolver } from "./client/server-resolver.js";
import { createWellKnownFetcher } from "./client/well-known-fetch.js";
import { WellKnownResolver, type WellKnownFetcher } from "./client/well-known.js";
import { KeyNotary } from "./keys/notary.js";
import { ServerKeyring, type TrustedKeyServer } from "./keys/keyring.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";

/** Injection points for tests: DNS, the well-known fetch, and SRV weight randomness. */
export interface FederationServiceOptions {
  dns?: DnsResolver;
  wellKnownFetcher?: WellKnownFetcher;
  random?: () => number;
}

/** The `federation` config section as the outgoing side reads it (app/'s FederationConfig satisfies it). */
export interface OutgoingFederationConfig {
  verify_tls: boolean;
  ip_range_blocklist: string[];
  ip_range_allowlist: string[];
  trusted_key_servers: TrustedKeyServer[];
  request_timeout_ms: number;
  allow_insecure_http_for_tests: boolean;
}

/** What the outgoing side needs of the server: who it is, the key it signs with, time, logs and its settings. */
export interface FederationServicesCore {
  serverName: string;
  signingKey: SigningKey;
  clock: Clock;
  logger: Logger;
  config: { federation: OutgoingFederationConfig };
}

export interface FederationServices {
  client: FederationClient;
  resolver: ServerResolver;
  keyring: ServerKeyring;
  notary: KeyNotary;
  localKeys: LocalServerKeys;
  /** The durable sender, once started by the server (start-server.ts); absent in tests that do not start it. */
  sender?: { peerIsUp(origin: string): void; stop(): void };
  /** Closes outgoing connections. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function createFederationServices(
  core: FederationServicesCore,
  keys: { localKeys: LocalServerKeys; keyCache: ServerKeyCache },
  options: FederationServiceOptions = {},
): FederationServices {
  const config = core.config.federation;
  const dns = options.dns ?? systemDns;
  const transport = new HttpTransport({
    dns,
    ipFilter: new IpRangeFilter(config.ip_range_blocklist, config.ip_range_allowlist),
    verifyTls: config.verify_tls,
    insecureHttp: config.allow_insecure_http_for_tests,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const wellKnown = new WellKnownResolver(options.wellKnownFetcher ?? createWellKnownFetcher(transport), core.clock);
  const resolver = new ServerResolver(dns, wellKnown, options.random);
  const client = new FederationClient({
    serverName: core.serverName,
    signingKey: core.signingKey,
    resolver,
    transport,
    defaultTimeoutMs: config.request_timeout_ms,
  });
  const keyring = new ServerKeyring({
    local: keys.localKeys,
    cache: keys.keyCache,
    client,
    trustedKeyServers: config.trusted_key_servers,
    clock: core.clock,
    logger: core.logger,
  });
  const notary = new KeyNotary({ local: keys.localKeys, cache: keys.keyCache, keyring, signingKey: core.signingKey, clock: core.clock });
  return { client, resolver, keyring, notary, localKeys: keys.localKeys, close: () => transport.close() };
}
