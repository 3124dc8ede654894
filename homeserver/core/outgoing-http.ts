import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Pool, type Dispatcher } from "undici";
import type { IpRangeFilter } from "./ip-ranges.js";

export interface OutgoingRequest {
  method: "GET" | "POST" | "HEAD";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Covers the whole exchange: DNS, connecting, every redirect hop and reading the body. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** How many redirects to follow; 0 (the default) returns a 3xx response as it is. */
  maxRedirects?: number;
}

export interface OutgoingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The URL that gave this response, after any redirects. */
  finalUrl: string;
}

/** Outgoing HTTP(S) to user-supplied URLs (pushers, URL previews), every hop checked against the IP range filter. */
export interface OutgoingHttp {
  fetch(url: string, request: OutgoingRequest): Promise<OutgoingResponse>;
}

/** The URL is not http(s), or its host resolves to no address the IP range filter allows. */
export class BlockedDestinationError extends Error {
  override name = "BlockedDestinationError";
}

/**
 * The host name has no address at all. A kind of BlockedDestinationError (nothing may be fetched there), told
 * apart because it can be a passing DNS failure rather than a refused destination.
 */
export class UnresolvableHostError extends BlockedDestinationError {
  override name = "UnresolvableHostError";
}

export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
}

/** The exchange did not finish within `timeoutMs`. */
export class OutgoingTimeoutError extends Error {
  override name = "OutgoingTimeoutError";
}

/** More redirects than `maxRedirects` allows (only when following redirects at all). */
export class TooManyRedirectsError extends Error {
  override name = "TooManyRedirectsError";
}

export interface OutgoingHttpOptions {
  ipFilter: IpRangeFilter;
  /** Every address (IPv6 and IPv4) for a host name; empty when it does not resolve. Injected by tests. */
  lookup?: (host: string) => Promise<string[]>;
  userAgent: string;
}

/** The fetcher and a way to close its kept-alive connections when the server stops. */
export type ClosableOutgoingHttp = OutgoingHttp & { close(): Promise<void> };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Failures before anything was sent: trying the next address cannot cause a request to be handled twice.
const CONNECT_ERRORS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"]);
// Headers that carry the caller's credentials stay with the origin they were meant for.
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);
const MAX_POOLS = 256;

async function systemLookup(host: string): Promise<string[]> {
  try {
    // getaddrinfo, so /etc/hosts applies as it does for every other program on the machine.
    return (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

function formatOrigin(scheme: string, address: string, port: number): string {
  return `${scheme}//${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

interface Hop {
  method: OutgoingRequest["method"];
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * Builds the guarded fetcher. Like federation's HttpTransport, it resolves the host itself, checks every
 * address against the filter before connecting and then connects to the checked address (TLS still verifies
 * the certificate for the host name), so a second DNS answer cannot point the connection elsewhere.
 */
export function createOutgoingHttp(options: OutgoingHttpOptions): ClosableOutgoingHttp {
  const lookup = options.lookup ?? systemLookup;
  // One pool per (checked address, port, scheme, TLS name): a kept-alive connection always goes to an address that passed the filter.
  const pools = new Map<string, Pool>();

  function pool(origin: string, servername: string | undefined): Pool {
    const key = `${origin}|${servername ?? ""}`;
    let found = pools.get(key);
    if (!found) {
      if (pools.size >= MAX_POOLS) {
        const [oldestKey, oldest] = pools.entries().next().value!;
        pools.delete(oldestKey);
        void oldest.close().catch(() => {});
      }
      found = new Pool(origin, { connections: 4, connect: servername ? { servername } : {} });
      pools.set(key, found);
    }
    return found;
  }

  async function allowedAddresses(host: string, signal: AbortSignal): Promise<string[]> {
    const addresses = isIP(host) ? [host] : await abortable(lookup(host), signal);
    if (addresses.length === 0) throw new UnresolvableHostError(`${host} does not resolve`);
    const allowed = addresses.filter((a) => options.ipFilter.isAllowed(a));
    if (allowed.length === 0) throw new BlockedDestinationError(`${host} resolves only to blocked addresses`);
    return allowed;
  }

  /** Sends one hop to the first checked address that accepts a connection; the body is left for the caller to read. */
  async function sendOnce(url: URL, hop: Hop, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedDestinationError(`${url.protocol} URLs are not fetched`);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const servername = url.protocol === "https:" && isIP(host) === 0 ? host : undefined;
    const headers: Record<string, string> = { "user-agent": options.userAgent, ...hop.headers, host: url.host };
    let lastError: unknown;
    for (const address of await allowedAddresses(host, signal)) {
      try {
        return await pool(formatOrigin(url.protocol, address, port), servername).request({
          method: hop.method,
          path: `${url.pathname}${url.search}`,
          headers,
          body: hop.body,
          signal,
        });
      } catch (error) {
        lastError = error;
        if (signal.aborted || !CONNECT_ERRORS.has((error as { code?: string }).code ?? "")) throw error;
      }
    }
    throw lastError;
  }

  async function fetchAll(url: URL, request: OutgoingRequest, signal: AbortSignal): Promise<OutgoingResponse> {
    const maxRedirects = request.maxRedirects ?? 0;
    let hop: Hop = { method: request.method, headers: request.headers ?? {}, body: request.body };
    for (let redirects = 0; ; redirects++) {
      const response = await sendOnce(url, hop, signal);
      const location = response.headers.location;
      if (maxRedirects === 0 || !REDIRECT_STATUSES.has(response.statusCode) || typeof location !== "string") {
        const body = await readCapped(response, request.maxResponseBytes, hop.method !== "HEAD");
        return { status: response.statusCode, headers: response.headers, body, finalUrl: url.href };
      }
      // A redirect's own body is never used: drop it instead of reading it.
      discard(response);
      if (redirects >= maxRedirects) throw new TooManyRedirectsError(`more than ${maxRedirects} redirects`);
      const next = new URL(location, url);
      hop = redirectedHop(hop, response.statusCode, url.origin === next.origin);
      url = next;
    }
  }

  return {
    async fetch(rawUrl, request) {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new BlockedDestinationError("not an absolute URL");
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new OutgoingTimeoutError(`no complete response within ${request.timeoutMs} ms`)), request.timeoutMs);
      try {
        return await fetchAll(url, request, controller.signal);
      } catch (error) {
        if (controller.signal.aborted && controller.signal.reason instanceof OutgoingTimeoutError) throw controller.signal.reason;
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const open = [...pools.values()];
      pools.clear();
      await Promise.all(open.map((p) => p.close().catch(() => {})));
    },
  };
}

/** What the next hop sends: 303 (and 301/302 after a POST) turn into a body-less GET, as browsers and fetch do. */
function redirectedHop(hop: Hop, status: number, sameOrigin: boolean): Hop {
  const headers = Object.fromEntries(Object.entries(hop.headers).filter(([name]) => sameOrigin || !CREDENTIAL_HEADERS.has(name.toLowerCase())));
  const toGet = status === 303 ? hop.method !== "HEAD" : (status === 301 || status === 302) && hop.method === "POST";
  if (!toGet) return { ...hop, headers };
  const withoutBody = Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-/i.test(name)));
  return { method: "GET", headers: withoutBody };
}

/** The body, refused as soon as it is known to exceed the cap. A HEAD response announces a length it does not carry. */
async function readCapped(response: Dispatcher.ResponseData, maxBytes: number, hasBody: boolean): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (hasBody && Number.isFinite(declared) && declared > maxBytes) {
    discard(response);
    throw new ResponseTooLargeError(`response of ${declared} bytes is larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      discard(response);
      throw new ResponseTooLargeError(`response larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Closes a body we will not read; undici reports the abort as an 'error' event, which must not go unheard. */
function discard(response: Dispatcher.ResponseData): void {
  response.body.on("error", () => {});
  response.body.destroy();
}

/** Lets a step that cannot be cancelled itself (getaddrinfo) still end the exchange when the deadline passes. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
