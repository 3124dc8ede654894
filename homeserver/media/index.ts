import { join } from "node:path";
import type { CoreContext } from "../core/core-context.js";
import type { MediaStore } from "../storage/stores/media-store.js";
import { DiskMediaFiles } from "./disk-media-files.js";
import type { MediaFiles } from "./media-files.js";
import type { MediaDeps } from "./media-deps.js";
import { MediaDownloads } from "./media-downloads.js";
import { MediaRepository } from "./media-repository.js";
import { MediaRetention } from "./media-retention.js";
import { MediaThumbnails } from "./media-thumbnails.js";
import { MediaUploads } from "./media-uploads.js";
import { RemoteMediaCache } from "./remote-media-cache.js";
import type { RemoteMediaSource } from "./remote-media.js";
import { Thumbnailer } from "./thumbnailer.js";
import { UploadWaiters } from "./upload-waiters.js";

export interface MediaServices {
  repository: MediaRepository;
  /** The daily job that drops stale remote copies (started by start-server.ts). */
  retention: MediaRetention;
  /** Settles when the thumbnails queued after uploads are made (tests, shutdown). */
  idle(): Promise<void>;
}

/** The media repository over the local disk (media.path, or <data_dir>/media), fetching others' media through `remote`. */
export function createMediaServices(
  core: Pick<CoreContext, "serverName" | "config" | "clock" | "logger">,
  store: MediaStore,
  remote: RemoteMediaSource,
  files: MediaFiles = new DiskMediaFiles(core.config.media.path ?? join(core.config.data_dir, "media")),
): MediaServices {
  const deps: MediaDeps = { serverName: core.serverName, store, files, clock: core.clock, logger: core.logger, config: core.config.media };
  const waiters = new UploadWaiters();
  const downloads = new MediaDownloads(deps, waiters, new RemoteMediaCache(deps, remote));
  const thumbnails = new MediaThumbnails(deps, downloads, new Thumbnailer(core.config.media.max_thumbnail_source_pixels));
  const uploads = new MediaUploads(deps, waiters, (serverName, mediaId) => thumbnails.pregenerate(serverName, mediaId));
  return {
    repository: new MediaRepository(uploads, downloads, thumbnails, files),
    retention: new MediaRetention(deps),
    idle: () => thumbnails.idle(),
  };
}
