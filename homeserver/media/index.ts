import type { CoreContext } from "../core/core-context.js";
import type { MediaStore } from "../storage/stores/media-store.js";
import { mediaFilesFromConfig } from "./media-files-from-config.js";
import type { MediaFiles } from "./media-files.js";
import type { MediaDeps } from "./media-deps.js";
import { MediaDownloads } from "./media-downloads.js";
import { MediaRepository } from "./media-repository.js";
import { MediaRetention } from "./media-retention.js";
import { chooseForRequest, MediaThumbnails, nearestForRequest } from "./media-thumbnails.js";
import { MediaUploads } from "./media-uploads.js";
import { RemoteMediaCache } from "./remote-media-cache.js";
import type { RemoteMediaSource } from "./remote-media.js";
import { RemoteThumbnails } from "./remote-thumbnails.js";
import { Thumbnailer } from "./thumbnailer.js";
import { UploadWaiters } from "./upload-waiters.js";

export interface MediaServices {
  repository: MediaRepository;
  /** The daily job that drops stale remote copies (started by start-server.ts). */
  retention: MediaRetention;
  /** Settles when the thumbnails queued after uploads are made (tests, shutdown). */
  idle(): Promise<void>;
}

/** The media repository over media.storage (the local disk by default, or S3), fetching others' media through `remote`. */
export function createMediaServices(
  core: Pick<CoreContext, "serverName" | "config" | "clock" | "logger">,
  store: MediaStore,
  remote: RemoteMediaSource,
  files: MediaFiles = mediaFilesFromConfig(core.config),
): MediaServices {
  const deps: MediaDeps = { serverName: core.serverName, store, files, clock: core.clock, logger: core.logger, config: core.config.media };
  const waiters = new UploadWaiters();
  const downloads = new MediaDownloads(deps, waiters, new RemoteMediaCache(deps, remote));
  const thumbnailer = new Thumbnailer(core.config.media.max_thumbnail_source_pixels);
  const thumbnails = new MediaThumbnails(deps, downloads, thumbnailer, new RemoteThumbnails(deps, remote, thumbnailer, chooseForRequest, nearestForRequest));
  const uploads = new MediaUploads(deps, waiters, (serverName, mediaId) => thumbnails.pregenerate(serverName, mediaId));
  return {
    repository: new MediaRepository(uploads, downloads, thumbnails, files),
    retention: new MediaRetention(deps),
    idle: () => thumbnails.idle(),
  };
}
