import type { RemoteMediaBody, RemoteMediaSource, RemoteThumbnailRequest } from "../../homeserver/media/remote-media.js";
import { errors, MatrixError } from "../../homeserver/errors.js";
import { FederationConnectionError, toClientFacingError } from "./errors.js";
import { federationPath, type FederationClient } from "./federation-client.js";
import type { TransportResponse } from "./http-transport.js";
import { dispositionFileName, multipartBoundary, parseMultipartMixed } from "./multipart-mixed.js";

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// A multipart answer carries a JSON part and headers besides the file.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const header = (response: TransportResponse, name: string): string | undefined => {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const tooLarge = (maxBytes: number) => new MatrixError("M_TOO_LARGE", `The remote media is larger than ${maxBytes} bytes`, 502);
const badAnswer = (serverName: string, why: string) => new MatrixError("M_UNKNOWN", `${serverName} answered the media request badly: ${why}`, 502);

/**
 * Other servers' media for our users: GET /_matrix/federation/v1/media/download/{mediaId} (spec v1.11; a
 * multipart answer whose second part is the file or a Location to fetch it from), and for servers without it
 * the older /_matrix/media/v3/download/{serverName}/{mediaId}?allow_remote=false. Every connection, the
 * redirect's included, goes through federation's IP range filter.
 */
export class RemoteMediaClient implements RemoteMediaSource {
  constructor(private readonly client: FederationClient) {}

  async download(serverName: string, mediaId: string, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody> {
    const federation = await this.send(serverName, federationPath`/_matrix/federation/v1/media/download/${mediaId}`, options, "multipart/mixed", {
      timeout_ms: options.timeoutMs,
    });
    if (federation.status === 200) return this.fromMultipart(serverName, federation, options);
    if (!lacksEndpoint(federation)) throw errorOf(serverName, federation);
    const legacy = await this.send(serverName, federationPath`/_matrix/media/v3/download/${serverName}/${mediaId}`, options, "*/*", {
      allow_remote: false,
      timeout_ms: options.timeoutMs,
    });
    const answer = await this.followRedirects(serverName, legacy, options);
    if (answer.status !== 200) throw errorOf(serverName, answer);
    if ((answer.bytes?.length ?? 0) > options.maxBytes) throw tooLarge(options.maxBytes);
    return { contentType: header(answer, "content-type"), fileName: dispositionFileName(header(answer, "content-disposition")), bytes: answer.bytes ?? Buffer.alloc(0) };
  }

  /**
   * GET /_matrix/federation/v1/media/thumbnail/{mediaId}, and for servers without it the older
   * /_matrix/media/v3/thumbnail/{serverName}/{mediaId}?allow_remote=false. Only a failure to reach the origin
   * at all (or media not uploaded yet) is thrown; any answer that is not a thumbnail is undefined, so that the
   * caller fetches the original instead.
   */
  async thumbnail(serverName: string, mediaId: string, request: RemoteThumbnailRequest, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody | undefined> {
    const query: Record<string, string | number | boolean> = { width: request.width, height: request.height, method: request.method, timeout_ms: options.timeoutMs };
    // Only when asked: a server that predates the parameter answers a still thumbnail either way.
    if (request.animated) query.animated = true;
    const federation = await this.sendForThumbnail(serverName, federationPath`/_matrix/federation/v1/media/thumbnail/${mediaId}`, options, "multipart/mixed", query);
    if (!federation) return undefined;
    if (federation.status === 200) return this.fromMultipart(serverName, federation, options).catch(() => undefined);
    if (!lacksEndpoint(federation)) return noThumbnail(serverName, federation);
    const legacy = await this.sendForThumbnail(serverName, federationPath`/_matrix/media/v3/thumbnail/${serverName}/${mediaId}`, options, "*/*", { ...query, allow_remote: false });
    if (!legacy) return undefined;
    let answer: TransportResponse;
    try {
      answer = await this.followRedirects(serverName, legacy, options);
    } catch {
      return undefined;
    }
    if (answer.status !== 200) return noThumbnail(serverName, answer);
    if ((answer.bytes?.length ?? 0) > options.maxBytes) return undefined;
    return { contentType: header(answer, "content-type"), fileName: dispositionFileName(header(answer, "content-disposition")), bytes: answer.bytes ?? Buffer.alloc(0) };
  }

  /** send, with a thumbnail over the size cap as no thumbnail (undefined) rather than an error. */
  private async sendForThumbnail(
    serverName: string,
    path: string,
    options: { maxBytes: number; timeoutMs: number },
    accept: string,
    query: Record<string, string | number | boolean>,
  ): Promise<TransportResponse | undefined> {
    try {
      return await this.send(serverName, path, options, accept, query);
    } catch (error) {
      if (error instanceof MatrixError && error.errcode === "M_TOO_LARGE") return undefined;
      throw error;
    }
  }

  private async send(serverName: string, path: string, options: { maxBytes: number; timeoutMs: number }, accept: string, query: Record<string, string | number | boolean>): Promise<TransportResponse> {
    try {
      return await this.client.requestRaw(
        { method: "GET", destination: serverName, path, query, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxBytes + MULTIPART_OVERHEAD_BYTES },
        accept,
      );
    } catch (error) {
      throw failure(error, options.maxBytes);
    }
  }

  private async fromMultipart(serverName: string, response: TransportResponse, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody> {
    const boundary = multipartBoundary(header(response, "content-type"));
    if (!boundary) throw badAnswer(serverName, "not multipart/mixed");
    const parts = parseMultipartMixed(response.bytes ?? Buffer.alloc(0), boundary);
    if (!parts || parts.length < 2) throw badAnswer(serverName, "malformed multipart body");
    const file = parts[1];
    const location = file.headers.location;
    if (location !== undefined) {
      let url: URL;
      try {
        url = new URL(location);
      } catch {
        throw badAnswer(serverName, "unusable Location");
      }
      const answer = await this.followRedirects(serverName, await this.fetch(url, options), options, url);
      if (answer.status !== 200) throw badAnswer(serverName, `its Location answered ${answer.status}`);
      return { contentType: header(answer, "content-type"), fileName: dispositionFileName(header(answer, "content-disposition")), bytes: answer.bytes ?? Buffer.alloc(0) };
    }
    if (file.body.length > options.maxBytes) throw tooLarge(options.maxBytes);
    return { contentType: file.headers["content-type"], fileName: dispositionFileName(file.headers["content-disposition"]), bytes: file.body };
  }

  private async fetch(url: URL, options: { maxBytes: number; timeoutMs: number }): Promise<TransportResponse> {
    try {
      return await this.client.fetchUrl(url, { timeoutMs: options.timeoutMs, maxResponseBytes: options.maxBytes });
    } catch (error) {
      throw failure(error, options.maxBytes);
    }
  }

  private async followRedirects(serverName: string, first: TransportResponse, options: { maxBytes: number; timeoutMs: number }, base?: URL): Promise<TransportResponse> {
    let response = first;
    let from = base;
    for (let hop = 0; REDIRECT_STATUSES.has(response.status); hop++) {
      const location = header(response, "location");
      if (hop >= MAX_REDIRECTS || location === undefined) throw badAnswer(serverName, "too many or empty redirects");
      let url: URL;
      try {
        url = from ? new URL(location, from) : new URL(location);
      } catch {
        throw badAnswer(serverName, "unusable redirect");
      }
      response = await this.fetch(url, options);
      from = url;
    }
    return response;
  }
}

/** A server that predates the federation media endpoints: 404 or 400 M_UNRECOGNIZED, or a bare 404/405 without a Matrix error. */
function lacksEndpoint(response: TransportResponse): boolean {
  const errcode = errcodeOf(response);
  if (errcode === "M_UNRECOGNIZED") return response.status === 404 || response.status === 400 || response.status === 405;
  return (response.status === 404 || response.status === 405) && errcode === undefined;
}

function errcodeOf(response: TransportResponse): string | undefined {
  try {
    const json = JSON.parse(response.body) as { errcode?: unknown };
    return typeof json?.errcode === "string" ? json.errcode : undefined;
  } catch {
    return undefined;
  }
}

/** A thumbnail answer that is not one: undefined (fetch the original instead), unless the media is not uploaded yet. */
function noThumbnail(serverName: string, response: TransportResponse): undefined {
  const error = errorOf(serverName, response);
  if (error.errcode === "M_NOT_YET_UPLOADED") throw error;
  return undefined;
}

/** The peer's own answer as our client should see it: its 404 is ours, anything else it failed with is 502. */
function errorOf(serverName: string, response: TransportResponse): MatrixError {
  if (response.status === 404) return errors.notFound("Media not found");
  if (response.status === 504 && errcodeOf(response) === "M_NOT_YET_UPLOADED") return new MatrixError("M_NOT_YET_UPLOADED", "The media has not been uploaded yet", 504);
  return badAnswer(serverName, `status ${response.status}`);
}

function failure(error: unknown, maxBytes: number): unknown {
  if (error instanceof FederationConnectionError && (error.cause as Error | undefined)?.name === "ResponseTooLargeError") return tooLarge(maxBytes);
  return toClientFacingError(error);
}
