import { schedule, type ScheduledTask } from "node-cron";
import type { MediaDeps } from "./media-deps.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 100;
/** Daily, at 04:17 (an hour no other job uses). */
const DAILY = "17 4 * * *";

/**
 * The media retention job: copies of other servers' media nobody read for media.remote_retention_days are
 * deleted (their row, their thumbnails, and each file no other row names), and ids from /create that expired
 * unused are forgotten. Our own users' uploads are never deleted here.
 */
export class MediaRetention {
  constructor(private readonly deps: MediaDeps) {}

  async runOnce(): Promise<{ remoteMedia: number; files: number; expiredIds: number }> {
    const { store, files, clock, config } = this.deps;
    const now = clock.now();
    let remoteMedia = 0;
    let removedFiles = 0;
    if (config.remote_retention_days !== null) {
      const before = now - config.remote_retention_days * DAY_MS;
      for (;;) {
        const batch = await store.remoteNotAccessedSince(before, BATCH);
        for (const { serverName, mediaId } of batch) {
          const hashes = await store.transaction((tx) => store.deleteMedia(tx, serverName, mediaId));
          remoteMedia += 1;
          for (const sha256 of hashes) {
            // Under the content's lock, so an upload of the same bytes either sees the file or writes it again.
            const removed = await store.transaction(async (tx) => {
              await store.lockContent(tx, sha256);
              if (await store.isContentReferenced(tx, sha256)) return false;
              await files.remove(sha256);
              return true;
            });
            if (removed) removedFiles += 1;
          }
        }
        if (batch.length < BATCH) break;
      }
    }
    const expiredIds = await store.deleteExpiredPending(now);
    return { remoteMedia, files: removedFiles, expiredIds };
  }

  /** Schedules the daily run (never two at once); stop() ends it. */
  start(): { stop(): void } {
    const task: ScheduledTask = schedule(
      DAILY,
      async () => {
        try {
          const result = await this.runOnce();
          if (result.remoteMedia + result.expiredIds > 0) this.deps.logger.info(result, "media retention");
        } catch (error) {
          this.deps.logger.warn({ err: (error as Error).message }, "media retention failed");
        }
      },
      { name: "media-retention", noOverlap: true, unref: true },
    );
    return { stop: () => void task.destroy() };
  }
}
