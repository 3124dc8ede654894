import type { ThumbnailMethod, ThumbnailRow } from "../storage/stores/media-store.js";
import { errors, MatrixError } from "../errors.js";
import type { MediaDeps, ServableMedia } from "./media-deps.js";
import { mediaKey } from "./media-deps.js";
import { MAX_UPLOAD_WAIT_MS, servable, type DownloadOptions, type MediaDownloads, type StoredMedia } from "./media-downloads.js";
import type { RemoteThumbnails } from "./remote-thumbnails.js";
import { isThumbnailable, NotAnImageError, RECOMMENDED_SIZES, thumbnailSize, type ImageInfo, type Thumbnailer } from "./thumbnailer.js";

export interface ThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
}

/** Thumbnails made on request beyond the recommended sizes, per media: past this the nearest stored one is served. */
const MAX_ON_DEMAND_PER_MEDIA = 10;

const cannotThumbnail = (why: string) => errors.unknown(`Cannot thumbnail this media: ${why}`, 400);

/**
 * Thumbnails of stored images, ours and remote copies alike, made with sharp and kept (a row and a file): the
 * spec's recommended sizes when an image is uploaded, any other size the first time it is asked for. For
 * another server's media whose original we do not hold, its origin's thumbnail is asked for first
 * (remote-thumbnails.ts); only when the origin gives none is the original fetched and thumbnailed here.
 */
export class MediaThumbnails {
  private readonly inFlight = new Map<string, Promise<ThumbnailRow | undefined>>();
  private background: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: MediaDeps,
    private readonly downloads: MediaDownloads,
    private readonly thumbnailer: Thumbnailer,
    private readonly remote: RemoteThumbnails,
  ) {}

  async thumbnail(serverName: string, mediaId: string, request: ThumbnailRequest, options: DownloadOptions): Promise<ServableMedia> {
    if (serverName !== this.deps.serverName && options.allowRemote && !options.legacy) {
      const fromOrigin = await this.remote.find(serverName, mediaId, request, Math.min(Math.max(options.timeoutMs, 5000), MAX_UPLOAD_WAIT_MS));
      if (fromOrigin) return { contentType: fromOrigin.contentType, fileName: thumbnailName(fromOrigin), size: fromOrigin.size, sha256: fromOrigin.sha256 };
    }
    const media = await this.downloads.find(serverName, mediaId, options);
    if (!isThumbnailable(media.contentType)) throw cannotThumbnail(`${media.contentType} is not an image type thumbnails are made of`);
    const info = await this.imageInfo(media);
    if (!this.thumbnailer.mayDecode(info)) {
      const message = "The image is too large to thumbnail";
      throw media.isRemote ? new MatrixError("M_TOO_LARGE", message, 502) : errors.tooLarge(message);
    }
    const animated = request.animated && info.animated;
    const size = thumbnailSize(info, request);
    const stored = await this.deps.store.thumbnails(serverName, mediaId);
    const chosen = choose(stored, request.method, animated, size) ?? (await this.generate(media, info, stored, request.method, animated, size));
    if (!chosen) throw cannotThumbnail("no thumbnail could be made");
    return { contentType: chosen.contentType, fileName: thumbnailName(chosen), size: chosen.size, sha256: chosen.sha256 };
  }

  /** The recommended sizes of a newly uploaded image, made in the background; a failure only costs the cache. */
  pregenerate(serverName: string, mediaId: string): void {
    this.background = this.background.then(() =>
      this.pregenerateNow(serverName, mediaId).catch((error: Error) => this.deps.logger.warn({ err: error.message, mediaId }, "thumbnails of an upload not made")),
    );
  }

  /** Settles once the background work queued so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.background;
  }

  private async pregenerateNow(serverName: string, mediaId: string): Promise<void> {
    const row = await this.deps.store.get(serverName, mediaId);
    if (!row || row.sha256 === null || row.contentType === null || row.size === null || !isThumbnailable(row.contentType)) return;
    const media = row as StoredMedia;
    let info: ImageInfo;
    try {
      info = await this.imageInfo(media);
    } catch {
      return;
    }
    if (!this.thumbnailer.mayDecode(info)) return;
    for (const request of RECOMMENDED_SIZES) {
      const stored = await this.deps.store.thumbnails(serverName, mediaId);
      const size = thumbnailSize(info, request);
      if (!exact(stored, request.method, false, size)) await this.generate(media, info, stored, request.method, false, size, true);
    }
  }

  private async imageInfo(media: StoredMedia): Promise<ImageInfo> {
    if (media.image) return media.image;
    const bytes = await this.deps.files.read(media.sha256);
    if (!bytes) throw errors.notFound("Media not found");
    let info: ImageInfo;
    try {
      info = await this.thumbnailer.info(bytes);
    } catch (error) {
      if (error instanceof NotAnImageError) throw cannotThumbnail("the file is not a readable image");
      throw error;
    }
    await this.deps.store.setImageInfo(media.serverName, media.mediaId, info);
    return info;
  }

  /** Makes and keeps one thumbnail; requests for the same one meanwhile share the work. */
  private generate(
    media: StoredMedia,
    info: ImageInfo,
    stored: ThumbnailRow[],
    method: ThumbnailMethod,
    animated: boolean,
    size: { width: number; height: number },
    recommended = false,
  ): Promise<ThumbnailRow | undefined> {
    const onDemand = stored.length - RECOMMENDED_SIZES.length;
    if (!recommended && onDemand >= MAX_ON_DEMAND_PER_MEDIA) return Promise.resolve(nearest(stored, method, animated, size));
    const key = `${mediaKey(media.serverName, media.mediaId)}/${method}/${animated}/${size.width}x${size.height}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.makeAndKeep(media, info, method, animated, size).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async makeAndKeep(media: StoredMedia, info: ImageInfo, method: ThumbnailMethod, animated: boolean, size: { width: number; height: number }): Promise<ThumbnailRow> {
    const { store, files, clock } = this.deps;
    const bytes = await files.read(media.sha256);
    if (!bytes) throw errors.notFound("Media not found");
    let made;
    try {
      made = await this.thumbnailer.make(bytes, media.contentType, info, size, method, animated);
    } catch (error) {
      if (error instanceof NotAnImageError) throw cannotThumbnail("the file is not a readable image");
      throw error;
    }
    const staged = await files.stage(made.bytes, Number.MAX_SAFE_INTEGER);
    // Keyed by the size asked of sharp, so the same request finds it again whatever sharp rounded to.
    const row: ThumbnailRow = {
      serverName: media.serverName,
      mediaId: media.mediaId,
      width: size.width,
      height: size.height,
      method,
      animated: made.animated,
      contentType: made.contentType,
      size: staged.size,
      sha256: staged.sha256,
      createdTs: clock.now(),
    };
    try {
      await store.transaction(async (tx) => {
        await store.lockContent(tx, staged.sha256);
        if (await store.insertThumbnail(tx, row)) await staged.commit();
      });
    } finally {
      await staged.discard();
    }
    // Stored by another request meanwhile, or the media is gone: serve what is stored, if anything.
    const stored = exact(await store.thumbnails(media.serverName, media.mediaId), method, made.animated, size);
    return stored ?? row;
  }
}

function exact(stored: ThumbnailRow[], method: ThumbnailMethod, animated: boolean, size: { width: number; height: number }): ThumbnailRow | undefined {
  return stored.find((t) => t.method === method && t.animated === animated && t.width === size.width && t.height === size.height);
}

/** The exact size, or a stored one of the same kind at least as large and not much larger (at most 4 times the pixels). */
function choose(stored: ThumbnailRow[], method: ThumbnailMethod, animated: boolean, size: { width: number; height: number }): ThumbnailRow | undefined {
  const found = exact(stored, method, animated, size);
  if (found) return found;
  const area = size.width * size.height;
  return stored
    .filter((t) => t.method === method && t.animated === animated && t.width >= size.width && t.height >= size.height && t.width * t.height <= 4 * area)
    .sort((a, b) => a.width * a.height - b.width * b.height)[0];
}

/** When no more are made for this media: the smallest stored at least as large, else the largest. */
function nearest(stored: ThumbnailRow[], method: ThumbnailMethod, animated: boolean, size: { width: number; height: number }): ThumbnailRow | undefined {
  const kind = stored.filter((t) => t.method === method && t.animated === animated);
  const pool = kind.length > 0 ? kind : stored;
  const larger = pool.filter((t) => t.width >= size.width && t.height >= size.height).sort((a, b) => a.width * a.height - b.width * b.height);
  return larger[0] ?? [...pool].sort((a, b) => b.width * b.height - a.width * a.height)[0];
}

/** The rules above for a request as a client made it (remote-thumbnails.ts keys the origin's by the request). */
export const chooseForRequest = (stored: ThumbnailRow[], request: ThumbnailRequest) => choose(stored, request.method, request.animated, request);
export const nearestForRequest = (stored: ThumbnailRow[], request: ThumbnailRequest) => nearest(stored, request.method, request.animated, request);

function thumbnailName(thumbnail: ThumbnailRow): string {
  const extension = thumbnail.contentType.split("/")[1] ?? "bin";
  return `thumbnail.${extension}`;
}

export { servable };
