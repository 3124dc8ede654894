import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../core/config.js";
import type { UrlPreviewConfig } from "../../core/config.js";
import { DEFAULT_IP_RANGE_BLOCKLIST } from "../../core/config-schema.js";
import { IpRangeFilter } from "../../core/ip-ranges.js";
import { createOutgoingHttp, type ClosableOutgoingHttp } from "../../core/outgoing-http.js";
import { MatrixError } from "../../errors.js";
import type { StoredUrlPreview } from "../../storage/stores/url-preview-store.js";
import { html, startPreviewTestServer, type PreviewTestServer } from "./preview-test-support.js";
import { UrlPreviewService, type ImageStore } from "./url-preview-service.js";

/** The store's contract in memory: these tests are about fetching and reading, the store has its own tests. */
class MemoryPreviews {
  rows: Array<StoredUrlPreview & { url: string }> = [];
  async find(url: string, ts: number, now: number) {
    const valid = this.rows.filter((r) => r.url === url && r.expiresTs > now).sort((a, b) => a.fetchedTs - b.fetchedTs);
    return valid.filter((r) => r.fetchedTs <= ts).pop() ?? valid.find((r) => r.fetchedTs > ts);
  }
  async insert(url: string, preview: StoredUrlPreview) {
    this.rows.push({ url, ...preview });
  }
  async deleteExpired(now: number) {
    this.rows = this.rows.filter((r) => r.expiresTs > now);
  }
}

let server: PreviewTestServer;
let png: Buffer;
const clients: ClosableOutgoingHttp[] = [];
let now = 1_000_000;

beforeAll(async () => {
  server = await startPreviewTestServer();
  png = await sharp({ create: { width: 3, height: 2, channels: 3, background: "#336699" } }).png().toBuffer();
  server.page("/img.png", (_req, res) => void res.writeHead(200, { "content-type": "image/png" }).end(png));
  server.page("/article", html(`<html><head><meta property="og:title" content="An article"><meta property="og:image" content="/img.png">
    <meta property="og:image:width" content="1200"><meta property="og:image:height" content="630"><meta property="og:image:alt" content="alt text"></head></html>`));
  server.page("/blocked-image", html(`<title>Blocked image</title><meta property="og:image" content="http://10.0.0.1/x.png"><meta property="og:image:width" content="10">`));
  server.page("/missing-image", html(`<title>Missing image</title><meta property="og:image" content="/nothing-here.png">`));
  server.page("/text", (_req, res) => void res.writeHead(200, { "content-type": "text/plain" }).end("plain"));
  server.page("/slow", () => {});
  server.page("/redirect", (_req, res) => void res.writeHead(302, { location: "/article" }).end());
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(() => server.close());

function service(options: { allowlist?: string[]; images?: ImageStore | null; config?: Partial<UrlPreviewConfig> } = {}) {
  // No real DNS: a .invalid name resolves to nothing, any other name to the test server's address.
  const lookup = async (host: string) => (host.endsWith(".invalid") ? [] : ["127.0.0.1"]);
  const http = createOutgoingHttp({ ipFilter: new IpRangeFilter(DEFAULT_IP_RANGE_BLOCKLIST, options.allowlist ?? ["127.0.0.0/8"]), lookup, userAgent: "test" });
  clients.push(http);
  const stored: Array<{ userId: string; bytes: Buffer; contentType: string }> = [];
  const images: ImageStore = async (userId, bytes, contentType) => {
    stored.push({ userId, bytes, contentType });
    return `mxc://test.local/image${stored.length}`;
  };
  const store = new MemoryPreviews();
  const config = { ...buildConfig({}).media.url_preview, enabled: true, ...options.config };
  const previews = new UrlPreviewService({ http, store, clock: { now: () => now }, logger: { info: () => {} }, config, images: options.images === null ? undefined : (options.images ?? images) });
  return { previews, stored, store };
}

async function refusal(promise: Promise<unknown>): Promise<{ errcode: string; status: number }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MatrixError);
  return { errcode: (error as MatrixError).errcode, status: (error as MatrixError).status };
}

describe("URL previews", () => {
  it("keeps the page's og:image as local media and describes the stored image", async () => {
    const { previews, stored } = service();
    const og = await previews.preview("@alice:test.local", `${server.base}/article`, undefined);
    expect(og).toEqual({
      "og:title": "An article",
      "og:image": "mxc://test.local/image1",
      "og:image:type": "image/png",
      "og:image:alt": "alt text",
      "og:image:width": 3,
      "og:image:height": 2,
      "matrix:image:size": png.length,
    });
    expect(stored).toEqual([{ userId: "@alice:test.local", bytes: png, contentType: "image/png" }]);
  });

  it("answers without an image when the image is blocked or missing", async () => {
    const { previews, stored } = service({ allowlist: ["127.0.0.1/32"] });
    expect(await previews.preview("@alice:test.local", `${server.base}/blocked-image`, undefined)).toEqual({ "og:title": "Blocked image" });
    expect(await previews.preview("@alice:test.local", `${server.base}/missing-image`, undefined)).toEqual({ "og:title": "Missing image" });
    expect(stored).toEqual([]);
  });

  it("answers without og:image when there is no media repository to keep it", async () => {
    const { previews } = service({ images: null });
    expect(await previews.preview("@alice:test.local", `${server.base}/article`, undefined)).toEqual({ "og:title": "An article" });
  });

  it("previews an image URL as the image itself", async () => {
    const { previews } = service();
    expect(await previews.preview("@alice:test.local", `${server.base}/img.png`, undefined)).toEqual({
      "og:image": "mxc://test.local/image1",
      "og:image:type": "image/png",
      "og:image:width": 3,
      "og:image:height": 2,
      "matrix:image:size": png.length,
    });
  });

  it("follows redirects and fetches the image relative to the final page", async () => {
    const { previews } = service({ images: null });
    expect(await previews.preview("@alice:test.local", `${server.base}/redirect`, undefined)).toEqual({ "og:title": "An article" });
  });

  it("shares one fetch between concurrent requests and answers again from the store", async () => {
    const { previews, store } = service({ images: null });
    const before = server.hits("/article");
    const url = `${server.base}/article?shared`;
    const [a, b] = await Promise.all([previews.preview("@a:test.local", url, undefined), previews.preview("@b:test.local", url, undefined)]);
    expect(a).toEqual(b);
    expect(await previews.preview("@c:test.local", `${url}#fragment`, undefined)).toEqual(a);
    expect(server.hits("/article") - before).toBe(1);
    expect(store.rows).toHaveLength(1);
  });

  it("fetches again once the stored preview expired", async () => {
    const { previews } = service({ images: null, config: { cache_ms: 1000 } });
    const before = server.hits("/article");
    const url = `${server.base}/article?expiry`;
    await previews.preview("@a:test.local", url, undefined);
    now += 1000;
    await previews.preview("@a:test.local", url, undefined);
    expect(server.hits("/article") - before).toBe(2);
  });

  it("refuses pages that are not there or not previewable, storing nothing", async () => {
    const { previews, store } = service();
    expect(await refusal(previews.preview("@a:test.local", `${server.base}/no-such-page`, undefined))).toEqual({ errcode: "M_UNKNOWN", status: 502 });
    expect(await refusal(previews.preview("@a:test.local", `${server.base}/text`, undefined))).toEqual({ errcode: "M_UNKNOWN", status: 502 });
    expect(store.rows).toEqual([]);
  });

  it("gives up on a page that does not answer in time", async () => {
    const { previews, store } = service({ config: { timeout_ms: 200 } });
    expect(await refusal(previews.preview("@a:test.local", `${server.base}/slow`, undefined))).toEqual({ errcode: "M_UNKNOWN", status: 504 });
    expect(store.rows).toEqual([]);
  });

  it("tells a host that does not resolve from a blocked one", async () => {
    const { previews } = service();
    expect(await refusal(previews.preview("@a:test.local", "http://does-not-exist.invalid/", undefined))).toEqual({ errcode: "M_UNKNOWN", status: 502 });
    expect(await refusal(previews.preview("@a:test.local", "http://10.0.0.1/", undefined))).toEqual({ errcode: "M_FORBIDDEN", status: 403 });
  });

  it("does not exist when disabled", async () => {
    const { previews } = service({ config: { enabled: false } });
    expect(await refusal(previews.preview("@a:test.local", `${server.base}/article`, undefined))).toEqual({ errcode: "M_UNRECOGNIZED", status: 404 });
  });
});
