import { isIP } from "node:net";
import { Pool } from "undici";
import type { DnsResolver } from "./dns.js";
import type { IpRangeFilter } from "../../homeserver/core/ip-ranges.js";
import { formatHost } from "./server-name.js";

export interface TransportOptions {
  dns: DnsResolver;
  ipFilter: IpRangeFilter;
  verifyTls: boolean;
  /** TESTS ONLY: plain http instead of https. */
  insecureHttp: boolean;
  connectTimeoutMs: number;
}

export interface TransportRequest {
  method: string;
  /** Path and query, as sent and signed. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body as it came, for answers that are not text (media). */
  bytes?: Buffer;
}

export class BlockedDestinationError extends Error {
  override name = "BlockedDestinationError";
}

export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
}

// Failures before anything was sent: trying the next address cannot cause a request to be handled twice.
const CONNECT_ERRORS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"]);

const MAX_POOLS = 1000;

/**
 * Sends one HTTP request to a host and port found by discovery. Addresses are resolved here and checked
 * against the IP filter *before* connecting, and we connect to the checked address itself, so a DNS answer
 * cannot change between the check and the connection. Keeps one undici Pool per destination and address.
 */
export class HttpTransport {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: TransportOptions) {}

  get scheme(): "http" | "https" {
    return this.options.insecureHttp ? "http" : "https";
  }

  /** Addresses we may connect to for `host`; throws when none resolve or all are blocked. */
  async allowedAddresses(host: string): Promise<string[]> {
    const addresses = isIP(host) ? [host] : await this.options.dns.lookup(host);
    if (addresses.length === 0) throw new BlockedDestinationError(`${host} does not resolve`);
    const allowed = addresses.filter((a) => this.options.ipFilter.isAllowed(a));
    if (allowed.length === 0) throw new BlockedDestinationError(`${host} resolves only to blocked addresses`);
    return allowed;
  }

  async send(poolGroup: string, target: { host: string; port: number }, tlsServerName: string | undefined, request: TransportRequest): Promise<TransportResponse> {
    const addresses = await this.allowedAddresses(target.host);
    let lastError: unknown;
    for (const address of addresses) {
      try {
        return await this.sendTo(poolGroup, address, target.port, tlsServerName, request);
      } catch (error) {
        lastError = error;
        if (!CONNECT_ERRORS.has((error as { code?: string }).code ?? "")) throw error;
      }
    }
    throw lastError;
  }

  private pool(poolGroup: string, address: string, port: number, tlsServerName: string | undefined): Pool {
    const origin = `${this.scheme}://${formatHost(address, port)}`;
    const key = `${poolGroup}|${origin}|${tlsServerName ?? ""}`;
    let pool = this.pools.get(key);
    if (!pool) {
      if (this.pools.size >= MAX_POOLS) {
        const [oldestKey, oldest] = this.pools.entries().next().value!;
        this.pools.delete(oldestKey);
        void oldest.close().catch(() => {});
      }
      pool = new Pool(origin, {
        connections: 8,
        connect: {
          timeout: this.options.connectTimeoutMs,
          rejectUnauthorized: this.options.verifyTls,
          ...(tlsServerName ? { servername: tlsServerName } : {}),
        },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private async sendTo(poolGroup: string, address: string, port: number, tlsServerName: string | undefined, request: TransportRequest): Promise<TransportResponse> {
    const pool = this.pool(poolGroup, address, port, tlsServerName);
    const response = await pool.request({
      method: request.method as "GET",
      path: request.path,
      headers: request.headers,
      body: request.body,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > request.maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLargeError(`response larger than ${request.maxResponseBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    return { status: response.statusCode, headers: response.headers, body: bytes.toString("utf8"), bytes };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
  }
}
