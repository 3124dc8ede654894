import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../../homeserver/core/config.js";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { html, startPreviewTestServer, type PreviewTestServer } from "../../../homeserver/media/preview/preview-test-support.js";

const PREVIEW = "/_matrix/client/v1/media/preview_url";
const LEGACY = "/_matrix/media/v3/preview_url";
const ENABLED = { media: { url_preview: { enabled: true, max_bytes: 4096 } } };

describe.each(testDrivers())("GET /media/v1/preview_url on %s", (driver) => {
  let site: PreviewTestServer;
  // Allowed to reach the local site; and with the default filter (127.0.0.0/8 and 10.0.0.0/8 blocked).
  let open: TestApp;
  let guarded: TestApp;
  let user: TestUser;
  let guardedUser: TestUser;
  let png: Buffer;

  beforeAll(async () => {
    site = await startPreviewTestServer();
    site.page("/page", html(`<html><head><title>Fallback</title><meta property="og:title" content="A page"><meta name="description" content="What it is about"></head></html>`));
    site.page("/big", html(`<title>big</title>${"x".repeat(5000)}`));
    png = await sharp({ create: { width: 4, height: 3, channels: 3, background: "#884422" } }).png().toBuffer();
    site.page("/img.png", (_req, res) => void res.writeHead(200, { "content-type": "image/png" }).end(png));
    site.page("/with-image", html(`<meta property="og:title" content="Pictured"><meta property="og:image" content="img.png">`));
    [open, guarded] = await Promise.all([createTestApp(driver, { ...ENABLED, federation: { ip_range_allowlist: ["127.0.0.0/8"] } }), createTestApp(driver, ENABLED)]);
    [user, guardedUser] = await Promise.all([registerTestUser(open.http), registerTestUser(guarded.http)]);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([open?.dispose(), guarded?.dispose()]);
    await site?.close();
  });

  const get = (app: TestApp, who: TestUser, query: string, path = PREVIEW) => app.http.inject({ method: "GET", url: `${path}?${query}`, headers: bearer(who) });
  const url = (path: string) => encodeURIComponent(`${site.base}${path}`);

  it("answers the page's Open Graph data, from one fetch, on both paths", async () => {
    const before = site.hits("/page");
    const first = await get(open, user, `url=${url("/page")}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ "og:title": "A page", "og:description": "What it is about" });
    expect(specErrors("GET", PREVIEW, 200, first.json())).toEqual([]);
    const again = await get(open, user, `url=${url("/page")}&ts=${Date.now()}`);
    const legacy = await get(open, user, `url=${url("/page")}`, LEGACY);
    expect([again.statusCode, legacy.statusCode]).toEqual([200, 200]);
    expect(again.json()).toEqual(first.json());
    expect(legacy.json()).toEqual(first.json());
    expect(site.hits("/page") - before).toBe(1);
    expect(await open.ctx.stores.urlPreviews.count(`${site.base}/page`)).toBe(1);
  });

  it("keeps og:image in the media repository and answers its mxc:// URI", async () => {
    const response = await get(open, user, `url=${url("/with-image")}`);
    expect(response.statusCode).toBe(200);
    const og = response.json() as Record<string, unknown>;
    expect(og).toMatchObject({ "og:title": "Pictured", "og:image:type": "image/png", "og:image:width": 4, "og:image:height": 3, "matrix:image:size": png.length });
    expect(specErrors("GET", PREVIEW, 200, og)).toEqual([]);
    const mxc = /^mxc:\/\/test\.local\/([A-Za-z0-9_-]+)$/.exec(String(og["og:image"]));
    expect(mxc).not.toBeNull();
    const download = await open.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/test.local/${mxc![1]}`, headers: bearer(user) });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(png)).toBe(true);
  });

  it("refuses 127.0.0.1 and 10.0.0.1 with the default IP ranges, fetching and storing nothing", async () => {
    const before = site.hits("/page");
    for (const target of [url("/page"), encodeURIComponent("http://10.0.0.1/page")]) {
      const response = await get(guarded, guardedUser, `url=${target}`);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ errcode: "M_FORBIDDEN" });
    }
    expect(site.hits("/page")).toBe(before);
    expect(await guarded.ctx.stores.urlPreviews.count(`${site.base}/page`)).toBe(0);
    expect(await guarded.ctx.stores.urlPreviews.count("http://10.0.0.1/page")).toBe(0);
  });

  it("refuses a page over media.url_preview.max_bytes and stores nothing", async () => {
    const response = await get(open, user, `url=${url("/big")}`);
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ errcode: "M_TOO_LARGE" });
    expect(await open.ctx.stores.urlPreviews.count(`${site.base}/big`)).toBe(0);
  });

  it("wants a url: M_MISSING_PARAM without one", async () => {
    const response = await get(open, user, "ts=1");
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_MISSING_PARAM" });
  });

  it.each(["not a url", "/relative/path", "ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "http://", ""])("refuses url=%j with M_INVALID_PARAM", async (bad) => {
    const response = await get(open, user, `url=${encodeURIComponent(bad)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_INVALID_PARAM" });
  });

  it.each(["soon", "-1", "1.5"])("refuses ts=%j with M_INVALID_PARAM", async (bad) => {
    const response = await get(open, user, `url=${url("/page")}&ts=${encodeURIComponent(bad)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_INVALID_PARAM" });
  });

  it("needs an access token", async () => {
    const response = await open.http.inject({ method: "GET", url: `${PREVIEW}?url=${url("/page")}` });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ errcode: "M_MISSING_TOKEN" });
  });

  it("does not exist while media.url_preview.enabled is false (the default), as in Synapse", async () => {
    const before = site.hits("/page");
    // The service reads the setting at each request; a third server just for this would double the test's time.
    const settings = open.ctx.config.media.url_preview;
    settings.enabled = false;
    try {
      for (const path of [PREVIEW, LEGACY]) {
        const response = await get(open, user, `url=${url("/page?disabled")}`, path);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
      }
    } finally {
      settings.enabled = true;
    }
    expect(site.hits("/page")).toBe(before);
  });

  it("is off in the default configuration", () => {
    expect(buildConfig({}).media.url_preview.enabled).toBe(false);
  });
});
