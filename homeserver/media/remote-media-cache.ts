import type { MediaRow } from "../storage/stores/media-store.js";
import { errors, MatrixError } from "../errors.js";
import { ContentTooLargeError } from "./media-files.js";
import { cleanFileName, normaliseContentType } from "./content-headers.js";
import { mediaKey, type MediaDeps } from "./media-deps.js";
import type { RemoteMediaSource } from "./remote-media.js";

/**
 * Other servers' media, fetched once and kept as our copy (a row marked remote, the file shared by hash like
 * any other). Requests for the same media while it is being fetched wait for that one fetch.
 */
export class RemoteMediaCache {
  private readonly inFlight = new Map<string, Promise<MediaRow>>();

  constructor(
    private readonly deps: MediaDeps,
    private readonly source: RemoteMediaSource,
  ) {}

  fetch(serverName: string, mediaId: string, timeoutMs: number): Promise<MediaRow> {
    const key = mediaKey(serverName, mediaId);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchAndKeep(serverName, mediaId, timeoutMs).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async fetchAndKeep(serverName: string, mediaId: string, timeoutMs: number): Promise<MediaRow> {
    const { store, files, clock, config } = this.deps;
    const max = config.max_remote_download_bytes;
    const body = await this.source.download(serverName, mediaId, { maxBytes: max, timeoutMs });
    let staged;
    try {
      staged = await files.stage(body.bytes, max);
    } catch (error) {
      if (error instanceof ContentTooLargeError) throw new MatrixError("M_TOO_LARGE", `The remote media is larger than ${max} bytes`, 502);
      throw error;
    }
    try {
      await store.transaction(async (tx) => {
        await store.lockContent(tx, staged.sha256);
        await store.insertRemote(tx, {
          serverName,
          mediaId,
          ts: clock.now(),
          contentType: normaliseContentType(body.contentType),
          uploadName: cleanFileName(body.fileName),
          size: staged.size,
          sha256: staged.sha256,
        });
        await staged.commit();
      });
    } finally {
      await staged.discard();
    }
    const row = await store.get(serverName, mediaId);
    if (!row || row.sha256 === null) throw errors.notFound("Media not found");
    return row;
  }
}
