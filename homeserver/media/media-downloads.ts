import type { MediaRow } from "../storage/stores/media-store.js";
import { errors, MatrixError } from "../errors.js";
import { checkServerName } from "../server-name.js";
import { mediaKey, type MediaDeps, type ServableMedia } from "./media-deps.js";
import { isValidMediaId } from "./media-ids.js";
import type { RemoteMediaCache } from "./remote-media-cache.js";
import type { UploadWaiters } from "./upload-waiters.js";

export interface DownloadOptions {
  /** How long to wait for an id from /create to be uploaded (the request's timeout_ms). */
  timeoutMs: number;
  /** The deprecated unauthenticated endpoints: only media from before the cut-off, and never a new fetch. */
  legacy?: boolean;
  /** False for other servers' requests: they get our own media only. */
  allowRemote: boolean;
}

/** The longest a download waits for an upload, whatever timeout_ms asks (the spec: servers should cap it). */
export const MAX_UPLOAD_WAIT_MS = 120_000;
/** A remote copy's last access is written at most this often, not at every read. */
const ACCESS_GRANULARITY_MS = 3_600_000;

/** A row with its bytes. */
export type StoredMedia = MediaRow & { contentType: string; size: number; sha256: string };

const hasContent = (row: MediaRow): row is StoredMedia => row.sha256 !== null && row.contentType !== null && row.size !== null;

export const servable = (row: StoredMedia): ServableMedia => ({ contentType: row.contentType, fileName: row.uploadName, size: row.size, sha256: row.sha256 });

/**
 * Finds the stored media an mxc:// URI names: ours (waiting for a pending upload when asked to), or a copy of
 * another server's, fetched over federation the first time.
 */
export class MediaDownloads {
  private cutoff: Promise<number> | undefined;

  constructor(
    private readonly deps: MediaDeps,
    private readonly waiters: UploadWaiters,
    private readonly remote: RemoteMediaCache,
  ) {}

  async find(serverName: string, mediaId: string, options: DownloadOptions): Promise<StoredMedia> {
    // A name that cannot be a server is the client's mistake, found before any request leaves (400, not 502).
    checkServerName(serverName, "serverName");
    if (!isValidMediaId(mediaId)) throw errors.notFound("Media not found");
    const row = serverName === this.deps.serverName ? await this.local(serverName, mediaId, options) : await this.remoteCopy(serverName, mediaId, options);
    if (options.legacy && row.createdTs >= (await this.legacyCutoff())) {
      // The spec's transition to authenticated media: new media is not served without authentication.
      throw errors.notFound("Media not found");
    }
    return row;
  }

  private async local(serverName: string, mediaId: string, options: DownloadOptions): Promise<StoredMedia> {
    const { store, clock } = this.deps;
    let row = await store.get(serverName, mediaId);
    if (row && !hasContent(row) && !options.legacy) {
      if (row.unusedExpiresTs !== null && row.unusedExpiresTs <= clock.now()) throw errors.notFound("Media not found");
      const waitMs = Math.min(Math.max(options.timeoutMs, 0), MAX_UPLOAD_WAIT_MS);
      if (waitMs > 0) {
        await this.waiters.wait(mediaKey(serverName, mediaId), waitMs);
        row = await store.get(serverName, mediaId);
      }
      if (row && !hasContent(row)) throw new MatrixError("M_NOT_YET_UPLOADED", "The media has not been uploaded yet", 504);
    }
    if (!row || !hasContent(row)) throw errors.notFound("Media not found");
    return row;
  }

  private async remoteCopy(serverName: string, mediaId: string, options: DownloadOptions): Promise<StoredMedia> {
    const { store, clock } = this.deps;
    const row = await store.get(serverName, mediaId);
    if (row && hasContent(row)) {
      const now = clock.now();
      if (now - row.lastAccessTs > ACCESS_GRANULARITY_MS) await store.touch(serverName, mediaId, now);
      return row;
    }
    if (!options.allowRemote || options.legacy) throw errors.notFound("Media not found");
    const fetched = await this.remote.fetch(serverName, mediaId, Math.min(Math.max(options.timeoutMs, 5000), MAX_UPLOAD_WAIT_MS));
    if (!hasContent(fetched)) throw errors.notFound("Media not found");
    return fetched;
  }

  private legacyCutoff(): Promise<number> {
    const configured = this.deps.config.legacy_unauthenticated_cutoff;
    // A date the schema let through but Date cannot read serves nothing, rather than everything.
    this.cutoff ??= configured === null ? this.deps.store.legacyCutoffTs() : Promise.resolve(Date.parse(configured) || 0);
    return this.cutoff;
  }
}
