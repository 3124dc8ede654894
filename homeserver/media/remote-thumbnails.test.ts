import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../storage/test-databases.js";
import { MediaStore } from "../storage/stores/media-store.js";
import { buildConfig } from "../core/config.js";
import { silentLogger } from "../core/logger.js";
import { DiskMediaFiles } from "./disk-media-files.js";
import { MediaRetention } from "./media-retention.js";
import { RemoteMediaCache } from "./remote-media-cache.js";
import { RemoteThumbnails } from "./remote-thumbnails.js";
import { chooseForRequest, nearestForRequest } from "./media-thumbnails.js";
import { Thumbnailer } from "./thumbnailer.js";
import type { MediaDeps } from "./media-deps.js";
import type { RemoteMediaBody, RemoteMediaSource } from "./remote-media.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const crop = (size: number) => ({ width: size, height: size, method: "crop" as const, animated: false });

async function contentFiles(dir: string): Promise<number> {
  try {
    return (await readdir(join(dir, "content"), { recursive: true })).filter((name) => /[0-9a-f]{64}$/.test(name)).length;
  } catch {
    return 0;
  }
}

describe.each(testDrivers())("thumbnails from the origin of remote media on %s", (driver) => {
  let test: TestDatabase;
  let dir: string;
  let deps: MediaDeps;
  let now = 1_000 * DAY_MS;
  let thumbnailAnswer: RemoteMediaBody | undefined;
  const asked: string[] = [];
  const source: RemoteMediaSource = {
    download: async (_serverName, mediaId) => {
      asked.push(`download ${mediaId}`);
      return { contentType: "image/png", fileName: null, bytes: await sharp({ create: { width: 64, height: 64, channels: 3, background: "white" } }).png().toBuffer() };
    },
    thumbnail: async (_serverName, mediaId, request) => {
      asked.push(`thumbnail ${mediaId} ${request.width}x${request.height}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return thumbnailAnswer;
    },
  };
  let thumbnails: RemoteThumbnails;

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    dir = await mkdtemp(join(tmpdir(), "myelin-remote-thumbnails-"));
    const config = buildConfig({ media: { path: dir, remote_retention_days: 30 } });
    deps = { serverName: "here.test", store: new MediaStore(test.database.db), files: new DiskMediaFiles(dir), clock: { now: () => now }, logger: silentLogger, config: config.media };
    thumbnails = new RemoteThumbnails(deps, source, new Thumbnailer(config.media.max_thumbnail_source_pixels), chooseForRequest, nearestForRequest);
    thumbnailAnswer = { contentType: "image/png", fileName: null, bytes: await sharp({ create: { width: 32, height: 32, channels: 3, background: "red" } }).png().toBuffer() };
  });
  afterAll(async () => {
    await test.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("asks the origin once however many ask at the same time, and keeps the answer under a row without the original", async () => {
    const found = await Promise.all([1, 2, 3].map(() => thumbnails.find("there.test", "Pictured", crop(32), 5000)));
    expect(asked.filter((a) => a.startsWith("thumbnail Pictured"))).toEqual(["thumbnail Pictured 32x32"]);
    for (const row of found) expect(row).toMatchObject({ width: 32, height: 32, method: "crop", contentType: "image/png" });
    expect(await deps.store.get("there.test", "Pictured")).toMatchObject({ isRemote: true, sha256: null, contentType: null });
    // A request a kept thumbnail answers well enough (at least as large, at most 4 times the pixels) is not passed on.
    expect(await thumbnails.find("there.test", "Pictured", crop(20), 5000)).toMatchObject({ width: 32 });
    expect(asked.filter((a) => a.startsWith("thumbnail Pictured"))).toHaveLength(1);
  });

  it("keeps nothing that is not a picture, so that the caller fetches the original", async () => {
    const picture = thumbnailAnswer;
    try {
      for (const answer of [{ contentType: "text/html", fileName: null, bytes: Buffer.from("<b>hi</b>") }, { contentType: "image/png", fileName: null, bytes: Buffer.from("not a png") }, undefined]) {
        thumbnailAnswer = answer;
        expect(await thumbnails.find("there.test", "NotPictured", crop(32), 5000)).toBeUndefined();
      }
    } finally {
      thumbnailAnswer = picture;
    }
    expect(await deps.store.get("there.test", "NotPictured")).toBeUndefined();
  });

  it("leaves media whose original it holds to its own thumbnailer, and the row gets the original when it is fetched", async () => {
    await thumbnails.find("there.test", "LaterFetched", crop(32), 5000);
    await new RemoteMediaCache(deps, source).fetch("there.test", "LaterFetched", 5000);
    const row = await deps.store.get("there.test", "LaterFetched");
    expect(row).toMatchObject({ isRemote: true, contentType: "image/png" });
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const before = asked.length;
    expect(await thumbnails.find("there.test", "LaterFetched", crop(96), 5000)).toBeUndefined();
    expect(asked.length).toBe(before);
  });

  it("drops the origin's thumbnails with their row once nobody read them within the retention period", async () => {
    const filesBefore = await contentFiles(dir);
    expect(filesBefore).toBeGreaterThan(0);
    now += 31 * DAY_MS;
    await thumbnails.find("there.test", "Pictured", crop(32), 5000);
    const result = await new MediaRetention(deps).runOnce();
    // Read just now (by the find above): kept; the copy fetched in the test before: removed.
    expect(await deps.store.get("there.test", "Pictured")).toBeDefined();
    expect(await deps.store.get("there.test", "LaterFetched")).toBeUndefined();
    expect(result.remoteMedia).toBe(1);
    now += 31 * DAY_MS;
    await new MediaRetention(deps).runOnce();
    expect(await deps.store.get("there.test", "Pictured")).toBeUndefined();
    expect(await deps.store.thumbnails("there.test", "Pictured")).toEqual([]);
    expect(await contentFiles(dir)).toBe(0);
  });
});
