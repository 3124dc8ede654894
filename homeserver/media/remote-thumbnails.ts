import type { ThumbnailRow } from "../storage/stores/media-store.js";
import { checkServerName } from "../server-name.js";
import { errors } from "../errors.js";
import { baseContentType, normaliseContentType } from "./content-headers.js";
import { mediaKey, type MediaDeps } from "./media-deps.js";
import { isValidMediaId } from "./media-ids.js";
import type { RemoteMediaSource, RemoteThumbnailRequest } from "./remote-media.js";
import type { Thumbnailer } from "./thumbnailer.js";

/** What we serve as a thumbnail from another server: a picture type a browser shows inline, nothing else. */
const THUMBNAIL_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
/** A thumbnail is small; a bigger answer is not one, and the original is fetched instead. */
const MAX_THUMBNAIL_BYTES = 10 * 1024 * 1024;
/** How many different thumbnails of one remote media are kept; past this the nearest kept one is served. */
export const MAX_REMOTE_THUMBNAILS_PER_MEDIA = 15;
/** A remote row's last access is written at most this often (as media-downloads.ts does for originals). */
const ACCESS_GRANULARITY_MS = 3_600_000;

/** Chooses among the kept thumbnails (media-thumbnails.ts passes its own rule, so both paths choose alike). */
export type ThumbnailChooser = (stored: ThumbnailRow[], request: RemoteThumbnailRequest) => ThumbnailRow | undefined;

/**
 * Thumbnails of other servers' media made by their origin (spec v1.11 federation /media/thumbnail): asked for
 * before fetching a whole original just to shrink it, and kept under the media's row like our own. Keyed by
 * the size asked for (we do not know the image's size without the original), so the same request finds
 * them again.
 */
export class RemoteThumbnails {
  private readonly inFlight = new Map<string, Promise<ThumbnailRow | undefined>>();

  constructor(
    private readonly deps: MediaDeps,
    private readonly source: RemoteMediaSource,
    private readonly thumbnailer: Thumbnailer,
    private readonly choose: ThumbnailChooser,
    private readonly nearest: ThumbnailChooser,
  ) {}

  /**
   * The origin's thumbnail for `request`, kept or fetched now; undefined when we hold the original (our own
   * thumbnailer serves it then) or when the origin gives no thumbnail (the caller fetches the original).
   */
  async find(serverName: string, mediaId: string, request: RemoteThumbnailRequest, timeoutMs: number): Promise<ThumbnailRow | undefined> {
    checkServerName(serverName, "serverName");
    if (!isValidMediaId(mediaId)) throw errors.notFound("Media not found");
    const { store, clock } = this.deps;
    const row = await store.get(serverName, mediaId);
    if (row?.sha256) return undefined;
    if (row) {
      const stored = await store.thumbnails(serverName, mediaId);
      const kept = this.choose(stored, request) ?? (stored.length >= MAX_REMOTE_THUMBNAILS_PER_MEDIA ? this.nearest(stored, request) : undefined);
      if (kept) {
        const now = clock.now();
        if (now - row.lastAccessTs > ACCESS_GRANULARITY_MS) await store.touch(serverName, mediaId, now);
        return kept;
      }
    }
    const key = `${mediaKey(serverName, mediaId)}/${request.method}/${request.animated}/${request.width}x${request.height}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchAndKeep(serverName, mediaId, request, timeoutMs).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async fetchAndKeep(serverName: string, mediaId: string, request: RemoteThumbnailRequest, timeoutMs: number): Promise<ThumbnailRow | undefined> {
    const { store, files, clock, config } = this.deps;
    const maxBytes = Math.min(MAX_THUMBNAIL_BYTES, config.max_remote_download_bytes);
    const body = await this.source.thumbnail(serverName, mediaId, request, { maxBytes, timeoutMs });
    if (!body) return undefined;
    const contentType = normaliseContentType(body.contentType);
    if (!THUMBNAIL_TYPES.has(baseContentType(contentType))) return undefined;
    // Whatever the origin calls it, only a picture we can read is served to our users as its thumbnail.
    try {
      await this.thumbnailer.info(body.bytes);
    } catch {
      return undefined;
    }
    const staged = await files.stage(body.bytes, maxBytes);
    const now = clock.now();
    const row: ThumbnailRow = {
      serverName,
      mediaId,
      width: request.width,
      height: request.height,
      method: request.method,
      animated: request.animated,
      contentType,
      size: staged.size,
      sha256: staged.sha256,
      createdTs: now,
    };
    try {
      await store.transaction(async (tx) => {
        await store.lockContent(tx, staged.sha256);
        await store.insertRemotePlaceholder(tx, { serverName, mediaId, ts: now });
        if (await store.insertThumbnail(tx, row)) await staged.commit();
      });
    } finally {
      await staged.discard();
    }
    // Kept by another request meanwhile: serve that one, whose file is the one stored.
    const stored = (await store.thumbnails(serverName, mediaId)).find(
      (t) => t.method === row.method && t.animated === row.animated && t.width === row.width && t.height === row.height,
    );
    return stored ?? row;
  }
}
