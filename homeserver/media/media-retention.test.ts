import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../storage/test-databases.js";
import { MediaStore } from "../storage/stores/media-store.js";
import { buildConfig } from "../core/config.js";
import { silentLogger } from "../core/logger.js";
import { DiskMediaFiles } from "./disk-media-files.js";
import { MediaRetention } from "./media-retention.js";
import { RemoteMediaCache } from "./remote-media-cache.js";
import type { MediaDeps } from "./media-deps.js";
import type { RemoteMediaSource } from "./remote-media.js";

const DAY_MS = 24 * 60 * 60 * 1000;

async function contentFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, "content"), { recursive: true })).filter((name) => /[0-9a-f]{64}$/.test(name));
  } catch {
    return [];
  }
}

describe.each(testDrivers())("media store, remote copies and retention on %s", (driver) => {
  let test: TestDatabase;
  let dir: string;
  let deps: MediaDeps;
  let now = 1_000 * DAY_MS;
  let fetches = 0;
  const source: RemoteMediaSource = {
    download: async (_serverName, mediaId) => {
      fetches += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { contentType: "text/plain", fileName: `${mediaId}.txt`, bytes: Buffer.from(mediaId.startsWith("same") ? "shared bytes" : `bytes of ${mediaId}`) };
    },
    // These tests fetch originals only.
    thumbnail: async () => undefined,
  };

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    dir = await mkdtemp(join(tmpdir(), "myelin-media-retention-"));
    const config = buildConfig({ media: { path: dir, remote_retention_days: 30 } });
    deps = { serverName: "here.test", store: new MediaStore(test.database.db), files: new DiskMediaFiles(dir), clock: { now: () => now }, logger: silentLogger, config: config.media };
  });
  afterAll(async () => {
    await test.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("fetches remote media once however many ask at the same time, and keeps it as a remote copy", async () => {
    const cache = new RemoteMediaCache(deps, source);
    const rows = await Promise.all([1, 2, 3].map(() => cache.fetch("there.test", "OneMedia", 5000)));
    expect(fetches).toBe(1);
    for (const row of rows) expect(row).toMatchObject({ serverName: "there.test", mediaId: "OneMedia", isRemote: true, contentType: "text/plain", uploadName: "OneMedia.txt" });
  });

  it("deletes remote copies nobody read within the retention period, and a file only when no row names it any more", async () => {
    const cache = new RemoteMediaCache(deps, source);
    await cache.fetch("there.test", "sameOld", 5000);
    await cache.fetch("there.test", "sameKept", 5000);
    await cache.fetch("there.test", "Stale", 5000);
    const filesBefore = await contentFiles(dir);
    now += 31 * DAY_MS;
    // Read recently: kept, and so is the file it shares with sameOld.
    await deps.store.touch("there.test", "sameKept", now);
    await deps.store.touch("there.test", "OneMedia", now);
    const result = await new MediaRetention(deps).runOnce();
    expect(result.remoteMedia).toBe(2);
    expect(result.files).toBe(1);
    expect(await deps.store.get("there.test", "sameOld")).toBeUndefined();
    expect(await deps.store.get("there.test", "Stale")).toBeUndefined();
    expect((await deps.store.get("there.test", "sameKept"))?.sha256).toBeTruthy();
    expect((await contentFiles(dir)).length).toBe(filesBefore.length - 1);
  });

  it("forgets ids from /create that expired unused, and counts only live ones against the limit", async () => {
    const row = (mediaId: string, createdTs: number) => ({ serverName: "here.test", mediaId, uploader: "@u:here.test", createdTs, unusedExpiresTs: createdTs + DAY_MS });
    expect(await deps.store.insertPending(row("PendingA", now), 2)).toBe(true);
    expect(await deps.store.insertPending(row("PendingB", now), 2)).toBe(true);
    expect(await deps.store.insertPending(row("PendingC", now), 2)).toBe(false);
    now += 2 * DAY_MS;
    expect(await deps.store.insertPending(row("PendingD", now), 2)).toBe(true);
    expect((await new MediaRetention(deps).runOnce()).expiredIds).toBe(2);
    expect(await deps.store.get("here.test", "PendingA")).toBeUndefined();
    expect(await deps.store.get("here.test", "PendingD")).toBeDefined();
  });
});
