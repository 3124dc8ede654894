import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return [];
  }
  for (const name of names) if (/[0-9a-f]{64}$|\.part$/.test(name)) out.push(name);
  return out;
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();

async function animatedGif(): Promise<Buffer> {
  const width = 40;
  const height = 30;
  const raw = Buffer.alloc(width * height * 3 * 3);
  for (let frame = 0; frame < 3; frame++) for (let i = 0; i < width * height; i++) raw[(frame * width * height + i) * 3 + frame] = 255;
  return sharp(raw, { raw: { width, height: height * 3, channels: 3, pageHeight: height } }).gif({ loop: 0 }).toBuffer();
}

describe.each(testDrivers())("media repository routes on %s", (driver) => {
  let test: TestApp;
  let mediaDir: string;
  let alice: TestUser;
  let bob: TestUser;

  const upload = (body: Buffer | string, contentType = "application/octet-stream", query = "", user: TestUser = alice) =>
    test.http.inject({ method: "POST", url: `/_matrix/media/v3/upload${query}`, headers: { ...bearer(user), "content-type": contentType }, payload: body });
  const get = (url: string, headers: Record<string, string> = {}, user: TestUser | null = alice) =>
    test.http.inject({ method: "GET", url, headers: { ...(user ? bearer(user) : {}), ...headers } });
  const mediaPath = (contentUri: string) => contentUri.slice("mxc://".length);

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), "myelin-media-test-"));
    test = await createTestApp(driver, { media: { path: mediaDir, max_upload_bytes: 4096 * 1024, max_pending_uploads: 2 } });
    alice = await registerTestUser(test.http);
    bob = await registerTestUser(test.http);
  }, 180_000);
  afterAll(async () => {
    await test.ctx.media.idle();
    await test.dispose();
    await rm(mediaDir, { recursive: true, force: true });
  });

  it("announces the upload limit on both config endpoints", async () => {
    for (const url of ["/_matrix/client/v1/media/config", "/_matrix/media/v3/config"]) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ "m.upload.size": 4096 * 1024 });
    }
    expect((await get("/_matrix/client/v1/media/config", {}, null)).json().errcode).toBe("M_MISSING_TOKEN");
  });

  it("uploads bytes of any type and serves them back exactly, with the type and a safe disposition", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    const response = await upload(bytes, "application/x-thing", "?filename=data.bin");
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/media/v3/upload", 200, response.json())).toEqual([]);
    const uri: string = response.json().content_uri;
    expect(uri).toMatch(/^mxc:\/\/test\.local\/[A-Za-z]{24}$/);
    const download = await get(`/_matrix/client/v1/media/download/${mediaPath(uri)}`, {}, bob);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(bytes)).toBe(true);
    expect(download.headers["content-type"]).toBe("application/x-thing");
    expect(download.headers["content-disposition"]).toBe("attachment; filename=data.bin");
    expect(download.headers["x-content-type-options"]).toBe("nosniff");
    expect(download.headers["content-security-policy"]).toMatch(/^sandbox; default-src 'none'/);
  });

  it("never serves HTML or SVG inline, and only safe types inline", async () => {
    const html = await upload("<script>alert(1)</script>", "text/html", "?filename=page.html");
    const htmlDownload = await get(`/_matrix/client/v1/media/download/${mediaPath(html.json().content_uri)}`);
    expect(htmlDownload.headers["content-disposition"]).toMatch(/^attachment/);
    const svg = await upload("<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml");
    expect((await get(`/_matrix/client/v1/media/download/${mediaPath(svg.json().content_uri)}`)).headers["content-disposition"]).toBe("attachment");
    const text = await upload("hello", "text/plain; charset=utf-8", "?filename=hello.txt");
    expect((await get(`/_matrix/client/v1/media/download/${mediaPath(text.json().content_uri)}`)).headers["content-disposition"]).toBe("inline; filename=hello.txt");
  });

  it("encodes non-ASCII names (RFC 5987) and makes path traversal in a name harmless", async () => {
    const response = await upload("x", "text/plain", `?filename=${encodeURIComponent("../../etc/pässwd")}`);
    const uri = mediaPath(response.json().content_uri);
    expect((await get(`/_matrix/client/v1/media/download/${uri}`)).headers["content-disposition"]).toBe("inline; filename*=utf-8''p%C3%A4sswd");
    const renamed = await get(`/_matrix/client/v1/media/download/${uri}/${encodeURIComponent("..\\..\\boot.ini\r\nX-Evil: 1")}`);
    expect(renamed.statusCode).toBe(200);
    expect(renamed.headers["content-disposition"]).toBe("inline; filename*=utf-8''boot.iniX-Evil%3A%201");
    expect(renamed.headers["x-evil"]).toBeUndefined();
    expect(await filesUnder(join(mediaDir, "..", "etc"))).toEqual([]);
  });

  it("stores the same bytes once", async () => {
    const before = (await filesUnder(mediaDir)).length;
    const bytes = Buffer.from(`same bytes ${Math.random()}`);
    const first = await upload(bytes);
    const second = await upload(bytes);
    expect(first.json().content_uri).not.toBe(second.json().content_uri);
    expect((await filesUnder(mediaDir)).length).toBe(before + 1);
  });

  it("refuses an oversized upload with M_TOO_LARGE and keeps nothing", async () => {
    const before = await filesUnder(mediaDir);
    const response = await upload(Buffer.alloc(4096 * 1024 + 1, 7));
    expect(response.statusCode).toBe(413);
    expect(response.json().errcode).toBe("M_TOO_LARGE");
    expect(await filesUnder(mediaDir)).toEqual(before);
  });

  it("refuses a body shorter than its Content-Length and keeps nothing", async () => {
    const before = await filesUnder(mediaDir);
    const response = await test.http.inject({
      method: "POST",
      url: "/_matrix/media/v3/upload",
      headers: { ...bearer(alice), "content-type": "application/octet-stream", "content-length": "10" },
      payload: Buffer.from("12345"),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toMatch(/^M_/);
    expect(await filesUnder(mediaDir)).toEqual(before);
  });

  it("answers 404 M_NOT_FOUND for unknown media and ids no server can have, 400 M_INVALID_PARAM for U+0000", async () => {
    const nul = await get(`/_matrix/client/v1/media/download/test.local/${encodeURIComponent("a\u0000b")}`);
    // The framework's check of every parameter refuses U+0000 first.
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errcode).toBe("M_INVALID_PARAM");
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAAAA", encodeURIComponent("a b")]) {
      const response = await get(`/_matrix/client/v1/media/download/test.local/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json().errcode).toBe("M_NOT_FOUND");
    }
  });

  it("answers 400 M_INVALID_PARAM for a server name that cannot be one, before any request leaves", async () => {
    for (const server of ["bad_server!", encodeURIComponent("a\u0000b"), "host:99999"]) {
      const response = await get(`/_matrix/client/v1/media/download/${server}/abc`);
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
    }
  });

  it("serves byte ranges (206) and refuses one past the end (416)", async () => {
    const bytes = Buffer.from("0123456789");
    const uri = mediaPath((await upload(bytes)).json().content_uri);
    const partial = await get(`/_matrix/client/v1/media/download/${uri}`, { range: "bytes=2-5" });
    expect(partial.statusCode).toBe(206);
    expect(partial.body).toBe("2345");
    expect(partial.headers["content-range"]).toBe("bytes 2-5/10");
    const suffix = await get(`/_matrix/client/v1/media/download/${uri}`, { range: "bytes=-3" });
    expect(suffix.body).toBe("789");
    const past = await get(`/_matrix/client/v1/media/download/${uri}`, { range: "bytes=10-" });
    expect(past.statusCode).toBe(416);
    expect(past.headers["content-range"]).toBe("bytes */10");
  });

  it("refuses new media on the legacy unauthenticated endpoints", async () => {
    const uri = mediaPath((await upload(await png(64, 64), "image/png")).json().content_uri);
    const legacy = await get(`/_matrix/media/v3/download/${uri}`, {}, null);
    expect(legacy.statusCode).toBe(404);
    expect(legacy.json().errcode).toBe("M_NOT_FOUND");
    const thumbnail = await get(`/_matrix/media/v3/thumbnail/${uri}?width=32&height=32&method=crop`, {}, null);
    expect(thumbnail.statusCode).toBe(404);
    expect((await get(`/_matrix/client/v1/media/download/${uri}`, {}, null)).statusCode).toBe(401);
  });

  describe("asynchronous uploads", () => {
    it("creates an id that only its creator may upload to, once", async () => {
      const created = await test.http.inject({ method: "POST", url: "/_matrix/media/v1/create", headers: bearer(alice) });
      expect(created.statusCode).toBe(200);
      expect(specErrors("POST", "/_matrix/media/v1/create", 200, created.json())).toEqual([]);
      const uri = mediaPath(created.json().content_uri);
      const put = (user: TestUser, body: string) =>
        test.http.inject({ method: "PUT", url: `/_matrix/media/v3/upload/${uri}?filename=a.txt`, headers: { ...bearer(user), "content-type": "text/plain" }, payload: body });
      const notYet = await get(`/_matrix/client/v1/media/download/${uri}?timeout_ms=0`);
      expect(notYet.statusCode).toBe(504);
      expect(notYet.json().errcode).toBe("M_NOT_YET_UPLOADED");
      const byBob = await put(bob, "bob's");
      expect(byBob.statusCode).toBe(403);
      expect(byBob.json().errcode).toBe("M_FORBIDDEN");
      // A download that waits sees the upload that comes while it waits.
      const waiting = get(`/_matrix/client/v1/media/download/${uri}?timeout_ms=10000`);
      expect((await put(alice, "alice's")).statusCode).toBe(200);
      expect((await waiting).body).toBe("alice's");
      const again = await put(alice, "again");
      expect(again.statusCode).toBe(409);
      expect(again.json().errcode).toBe("M_CANNOT_OVERWRITE_MEDIA");
    });

    it("answers M_NOT_FOUND for an id it never made, and limits the unused ids a user holds", async () => {
      const unknown = await test.http.inject({ method: "PUT", url: "/_matrix/media/v3/upload/test.local/NoSuchIdAtAll", headers: bearer(bob), payload: "x" });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().errcode).toBe("M_NOT_FOUND");
      const create = () => test.http.inject({ method: "POST", url: "/_matrix/media/v1/create", headers: bearer(bob) });
      expect((await create()).statusCode).toBe(200);
      expect((await create()).statusCode).toBe(200);
      const third = await create();
      expect(third.statusCode).toBe(429);
      expect(third.json().errcode).toBe("M_LIMIT_EXCEEDED");
    });
  });

  describe("thumbnails", () => {
    it("crops and scales an image without ever upscaling it", async () => {
      const uri = mediaPath((await upload(await png(400, 200), "image/png", "?filename=red.png")).json().content_uri);
      const crop = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=96&height=96&method=crop`, {}, bob);
      expect(crop.statusCode).toBe(200);
      expect(crop.headers["content-type"]).toBe("image/png");
      expect(crop.headers["content-disposition"]).toBe("inline; filename=thumbnail.png");
      const cropped = await sharp(crop.rawPayload).metadata();
      expect([cropped.width, cropped.height]).toEqual([96, 96]);
      const scale = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=320&height=240&method=scale`);
      const scaled = await sharp(scale.rawPayload).metadata();
      expect([scaled.width, scaled.height]).toEqual([320, 160]);
      const huge = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=2000&height=2000&method=scale`);
      const notUpscaled = await sharp(huge.rawPayload).metadata();
      expect([notUpscaled.width, notUpscaled.height]).toEqual([400, 200]);
      // An odd size is made on demand and then kept.
      const odd = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=40&height=40&method=crop`);
      expect((await sharp(odd.rawPayload).metadata()).width).toBe(40);
      const again = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=40&height=40&method=crop`);
      expect(again.rawPayload.equals(odd.rawPayload)).toBe(true);
    });

    it("keeps an animated GIF animated when asked, and still otherwise", async () => {
      const uri = mediaPath((await upload(await animatedGif(), "image/gif")).json().content_uri);
      const animated = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=32&height=32&method=crop&animated=true`);
      expect(animated.headers["content-type"]).toBe("image/gif");
      expect((await sharp(animated.rawPayload, { animated: true }).metadata()).pages).toBe(3);
      const still = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=32&height=32&method=crop`);
      expect(still.headers["content-type"]).toBe("image/png");
    });

    it("answers 400 for what is not an image and for nonsense sizes", async () => {
      const uri = mediaPath((await upload("plain text", "text/plain")).json().content_uri);
      const text = await get(`/_matrix/client/v1/media/thumbnail/${uri}?width=32&height=32`);
      expect(text.statusCode).toBe(400);
      expect(text.json().errcode).toBe("M_UNKNOWN");
      const corrupt = mediaPath((await upload("not really a png", "image/png")).json().content_uri);
      expect((await get(`/_matrix/client/v1/media/thumbnail/${corrupt}?width=32&height=32`)).statusCode).toBe(400);
      for (const query of ["width=-1&height=32", "width=32", "width=abc&height=3", "width=32&height=32&method=stretch"]) {
        expect((await get(`/_matrix/client/v1/media/thumbnail/${uri}?${query}`)).statusCode).toBe(400);
      }
    });
  });
});
