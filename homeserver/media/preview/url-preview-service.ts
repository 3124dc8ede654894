import type { Clock } from "../../core/clock.js";
import type { UrlPreviewConfig } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import type { OutgoingHttp, OutgoingResponse } from "../../core/outgoing-http.js";
import { errors, MatrixError } from "../../errors.js";
import type { UrlPreviewStore } from "../../storage/stores/url-preview-store.js";
import { fetchFailure } from "./fetch-errors.js";
import { imageSize } from "./image-size.js";
import { decodePage, openGraphFromHtml, type OpenGraph } from "./open-graph.js";

/** Keeps fetched bytes as local media of `userId`; answers the mxc:// URI. */
export type ImageStore = (userId: string, bytes: Buffer, contentType: string) => Promise<string>;

export interface UrlPreviewDeps {
  /** Every fetch goes through the IP range filter. */
  http: OutgoingHttp;
  store: Pick<UrlPreviewStore, "find" | "insert" | "deleteExpired">;
  clock: Clock;
  logger: Pick<Logger, "info">;
  config: UrlPreviewConfig;
  /** Where images are kept; without it previews carry no og:image. */
  images?: ImageStore;
}

const MAX_REDIRECTS = 5;
// As Synapse: overlong keys and values are dropped rather than passed on to clients.
const MAX_KEY_LENGTH = 50;
const MAX_VALUE_LENGTH = 1000;
// Raw image URLs the page names; the preview carries the mxc:// copy instead.
const RAW_IMAGE_KEYS = ["og:image:url", "og:image:secure_url"];
// Some sites give Open Graph data only to crawlers; no version, so as not to advertise one.
const USER_AGENT = "Myelin (bot; URL previews)";

const isHtml = (type: string) => type.startsWith("text/html") || type.startsWith("application/xhtml");
const isImage = (type: string) => type.startsWith("image/");
const isJson = (type: string) => type.startsWith("application/json");

function header(response: OutgoingResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URL to preview, as fetched and cached: an absolute http(s) URL, without its fragment (never sent). */
function previewUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.invalidParam("url must be an absolute http or https URL");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") throw errors.invalidParam("url must be an absolute http or https URL");
  url.hash = "";
  return url;
}

/** A page's declared image dimension as a number, or nothing when it is not a positive integer. */
const dimension = (value: string | number | undefined) => (value !== undefined && /^[1-9][0-9]{0,5}$/.test(String(value)) ? Number(value) : undefined);

/**
 * GET /media/v1/preview_url: fetches the page a user names (through the IP range filter, size- and
 * time-limited), reads its Open Graph data and keeps its image as local media, and stores the preview so
 * that every process answers the URL again from the database until it expires. Concurrent requests for
 * one URL share one fetch. A failed fetch stores nothing.
 */
export class UrlPreviewService {
  private readonly inFlight = new Map<string, Promise<OpenGraph>>();

  constructor(private readonly deps: UrlPreviewDeps) {}

  async preview(userId: string, rawUrl: string, ts: number | undefined): Promise<OpenGraph> {
    // As Synapse with previews disabled: the endpoint does not exist.
    if (!this.deps.config.enabled) throw errors.unrecognized();
    const url = previewUrl(rawUrl);
    const now = this.deps.clock.now();
    const cached = await this.deps.store.find(url.href, ts ?? now, now);
    if (cached) return JSON.parse(cached.og) as OpenGraph;
    let pending = this.inFlight.get(url.href);
    if (!pending) {
      pending = this.fetchAndStore(userId, url).finally(() => this.inFlight.delete(url.href));
      this.inFlight.set(url.href, pending);
    }
    return pending;
  }

  private async fetchAndStore(userId: string, url: URL): Promise<OpenGraph> {
    const fetchedTs = this.deps.clock.now();
    const response = await this.fetch(url.href);
    if (response.status < 200 || response.status > 299) throw new MatrixError("M_UNKNOWN", `Got error ${response.status}`, 502);
    const contentType = (header(response, "content-type") ?? "").trim().toLowerCase();
    let og: OpenGraph;
    if (isHtml(contentType)) {
      og = openGraphFromHtml(decodePage(header(response, "content-type"), response.body));
      await this.attachImage(userId, og, response.finalUrl);
    } else if (isImage(contentType)) {
      og = {};
      await this.keepImage(userId, og, response.body, contentType);
    } else if (isJson(contentType) || contentType === "") {
      // JSON is only of use through oEmbed, which is not supported; no type says nothing about the page.
      og = {};
    } else {
      throw new MatrixError("M_UNKNOWN", `Requested file's content type not allowed for this operation: ${contentType}`, 502);
    }
    og = pruned(og);
    await this.deps.store.insert(url.href, { og: JSON.stringify(og), fetchedTs, expiresTs: fetchedTs + this.deps.config.cache_ms });
    await this.deps.store.deleteExpired(fetchedTs);
    return og;
  }

  private async fetch(url: string): Promise<OutgoingResponse> {
    const { config } = this.deps;
    try {
      return await this.deps.http.fetch(url, {
        method: "GET",
        headers: { "user-agent": USER_AGENT, "accept-language": config.accept_language.join(", "), accept: "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5" },
        timeoutMs: config.timeout_ms,
        maxResponseBytes: config.max_bytes,
        maxRedirects: MAX_REDIRECTS,
      });
    } catch (error) {
      throw fetchFailure(error, config.max_bytes);
    }
  }

  /**
   * Replaces the page's og:image URL with an mxc:// copy of the image. Whatever goes wrong (blocked, too
   * large, not an image), the preview is still answered, without an image, as Synapse does.
   */
  private async attachImage(userId: string, og: OpenGraph, pageUrl: string): Promise<void> {
    const raw = og["og:image"];
    delete og["og:image"];
    for (const key of RAW_IMAGE_KEYS) delete og[key];
    let kept = false;
    if (typeof raw === "string" && this.deps.images) {
      try {
        const imageUrl = new URL(raw, pageUrl);
        if (imageUrl.protocol === "http:" || imageUrl.protocol === "https:") {
          const response = await this.fetch(imageUrl.href);
          const contentType = (header(response, "content-type") ?? "").trim().toLowerCase();
          if (response.status >= 200 && response.status <= 299 && isImage(contentType)) kept = await this.keepImage(userId, og, response.body, contentType);
        }
      } catch (error) {
        // The reason only: the URL may carry a secret.
        this.deps.logger.info({ err: (error as Error).message }, "URL preview image not fetched");
      }
    }
    if (!kept) for (const key of Object.keys(og)) if (key.startsWith("og:image:")) delete og[key];
  }

  /** Stores the image and describes it in `og`; false when there is nowhere to keep it or storing failed. */
  private async keepImage(userId: string, og: OpenGraph, bytes: Buffer, contentType: string): Promise<boolean> {
    if (!this.deps.images || bytes.length === 0) return false;
    let mxc: string;
    try {
      mxc = await this.deps.images(userId, bytes, contentType);
    } catch (error) {
      this.deps.logger.info({ err: (error as Error).message }, "URL preview image not stored");
      return false;
    }
    og["og:image"] = mxc;
    og["og:image:type"] = contentType.split(";")[0].trim();
    og["matrix:image:size"] = bytes.length;
    const size = await imageSize(bytes);
    const width = size?.width ?? dimension(og["og:image:width"]);
    const height = size?.height ?? dimension(og["og:image:height"]);
    delete og["og:image:width"];
    delete og["og:image:height"];
    if (width !== undefined && height !== undefined) {
      og["og:image:width"] = width;
      og["og:image:height"] = height;
    }
    return true;
  }
}

/** The preview without keys or values too long to pass on. */
function pruned(og: OpenGraph): OpenGraph {
  return Object.fromEntries(Object.entries(og).filter(([key, value]) => key.length <= MAX_KEY_LENGTH && String(value).length <= MAX_VALUE_LENGTH));
}
