import type { SigningKey } from "../../homeserver/crypto/signing-key.js";
import { signRequest } from "../x-matrix.js";
import { FederationConnectionError, FederationRequestError } from "./errors.js";
import { isIP } from "node:net";
import type { HttpTransport, TransportResponse } from "./http-transport.js";
import type { ServerResolver } from "./server-resolver.js";

export type QueryValue = string | number | boolean | string[] | undefined;

export interface FederationRequest {
  method: "GET" | "PUT" | "POST" | "DELETE";
  destination: string;
  /** The encoded path, starting with /_matrix/; build it with `federationPath`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body; PUT and POST send `{}` when absent, as the spec requires an object. */
  body?: unknown;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface FederationClientOptions {
  serverName: string;
  signingKey: SigningKey;
  resolver: ServerResolver;
  transport: HttpTransport;
  defaultTimeoutMs: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

/** Encodes each interpolated value as one path segment: federationPath`/_matrix/federation/v1/event/${id}`. */
export function federationPath(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((path, part, i) => path + part + (i < values.length ? encodeURIComponent(String(values[i])) : ""), "");
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * Outgoing federation requests: discovery, an X-Matrix signature over exactly the target that goes on the
 * wire, JSON in and out. Throws FederationRequestError when the peer answers with an error and
 * FederationConnectionError when there is no answer.
 */
export class FederationClient {
  constructor(private readonly options: FederationClientOptions) {}

  get serverName(): string {
    return this.options.serverName;
  }

  async request<T = unknown>(request: FederationRequest): Promise<T> {
    const { destination } = request;
    const response = await this.exchange(request, "application/json");
    let json: unknown;
    try {
      json = response.body === "" ? undefined : JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    if (response.status >= 200 && response.status < 300) {
      if (json === undefined) throw new FederationRequestError(destination, response.status, undefined, response.body);
      return json as T;
    }
    const errcode = typeof json === "object" && json !== null ? (json as { errcode?: unknown }).errcode : undefined;
    throw new FederationRequestError(destination, response.status, typeof errcode === "string" ? errcode : undefined, json ?? response.body);
  }

  /**
   * A signed request whose answer comes back as it was (status, headers, bytes), whatever its status: for
   * answers that are not JSON (media). Throws FederationConnectionError only when there is no answer.
   */
  async requestRaw(request: FederationRequest, accept: string): Promise<TransportResponse> {
    return this.exchange(request, accept);
  }

  /** Discovery, signing and sending, trying each address discovery gives until one answers. */
  private async exchange(request: FederationRequest, accept: string): Promise<TransportResponse> {
    const { destination, method } = request;
    const uri = `${request.path}${encodeQuery(request.query)}`;
    const content = request.body ?? (method === "PUT" || method === "POST" ? {} : undefined);
    const headers: Record<string, string> = {
      authorization: signRequest({ method, uri, origin: this.options.serverName, destination, content, signingKey: this.options.signingKey }),
      accept,
      "user-agent": "Myelin",
    };
    const body = content === undefined ? undefined : JSON.stringify(content);
    if (body !== undefined) headers["content-type"] = "application/json";

    let resolved;
    try {
      resolved = await this.options.resolver.resolve(destination);
    } catch (error) {
      throw new FederationConnectionError(destination, `cannot resolve: ${(error as Error).message}`, { cause: error });
    }
    headers.host = resolved.hostHeader;
    let lastError: unknown;
    for (const target of resolved.targets) {
      try {
        return await this.options.transport.send(destination, target, resolved.tlsServerName, {
          method,
          path: uri,
          headers,
          body,
          timeoutMs: request.timeoutMs ?? this.options.defaultTimeoutMs,
          maxResponseBytes: request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        });
      } catch (error) {
        lastError = error;
      }
    }
    throw new FederationConnectionError(destination, (lastError as Error | undefined)?.message ?? "no address to connect to", { cause: lastError });
  }

  /**
   * An unsigned GET of an absolute URL another server pointed us to (a media download's Location), through
   * the same IP range filter as every federation request. Returns the answer as it was; redirects are the caller's.
   */
  async fetchUrl(url: URL, options: { timeoutMs: number; maxResponseBytes: number }): Promise<TransportResponse> {
    const transport = this.options.transport;
    if (url.protocol !== `${transport.scheme}:`) throw new FederationConnectionError(url.host, `${url.protocol} URLs are not fetched`);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port ? Number(url.port) : transport.scheme === "https" ? 443 : 80;
    try {
      return await transport.send(`url:${url.host}`, { host, port }, isIP(host) ? undefined : host, {
        method: "GET",
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, "user-agent": "Myelin" },
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
      });
    } catch (error) {
      throw new FederationConnectionError(url.host, (error as Error).message, { cause: error });
    }
  }

  get<T = unknown>(destination: string, path: string, query?: Record<string, QueryValue>, options: Pick<FederationRequest, "timeoutMs"> = {}): Promise<T> {
    return this.request<T>({ method: "GET", destination, path, query, ...options });
  }

  post<T = unknown>(destination: string, path: string, body: unknown, options: Pick<FederationRequest, "timeoutMs" | "query"> = {}): Promise<T> {
    return this.request<T>({ method: "POST", destination, path, body, ...options });
  }

  put<T = unknown>(destination: string, path: string, body: unknown, options: Pick<FederationRequest, "timeoutMs" | "query"> = {}): Promise<T> {
    return this.request<T>({ method: "PUT", destination, path, body, ...options });
  }

  close(): Promise<void> {
    return this.options.transport.close();
  }
}
