import { errors, MatrixError } from "../errors.js";
import { ContentTooLargeError, type StagedContent } from "./media-files.js";
import { cleanFileName, normaliseContentType } from "./content-headers.js";
import { mediaKey, type MediaDeps } from "./media-deps.js";
import { mxcUri, newMediaId } from "./media-ids.js";
import type { UploadWaiters } from "./upload-waiters.js";

/** An upload's body and what its request said about it. */
export interface UploadInput {
  body: AsyncIterable<Uint8Array> | Uint8Array;
  /** The Content-Type header. */
  contentType: string | undefined;
  /** The `filename` query parameter. */
  fileName: string | undefined;
  /** The Content-Length header, when one was sent: the body must be exactly that long. */
  declaredLength: number | undefined;
}

/** Told of each finished local upload: the thumbnails of an image are made then. */
export type UploadedHook = (serverName: string, mediaId: string) => void;

const tooLarge = (max: number) => errors.tooLarge(`Uploads may be at most ${max} bytes`);
const cannotOverwrite = () => new MatrixError("M_CANNOT_OVERWRITE_MEDIA", "Media already uploaded", 409);

/**
 * POST /upload, POST /create and PUT /upload/{serverName}/{mediaId}. The bytes are staged and counted as they
 * arrive, so an upload over the limit stops at the limit and leaves nothing; only a complete upload of the
 * declared length becomes a file and a row, in one step under the content's lock.
 */
export class MediaUploads {
  constructor(
    private readonly deps: MediaDeps,
    private readonly waiters: UploadWaiters,
    private readonly onUploaded: UploadedHook,
  ) {}

  /** m.upload.size, as /config announces it. */
  config(): { "m.upload.size": number } {
    return { "m.upload.size": this.deps.config.max_upload_bytes };
  }

  async upload(userId: string, input: UploadInput): Promise<{ content_uri: string }> {
    const staged = await this.stage(input);
    const mediaId = newMediaId();
    const { serverName, store } = this.deps;
    await this.keep(staged, async (tx) => {
      await store.insertLocal(tx, { serverName, mediaId, uploader: userId, ts: this.deps.clock.now(), ...this.fields(input, staged) });
    });
    this.onUploaded(serverName, mediaId);
    return { content_uri: mxcUri(serverName, mediaId) };
  }

  async create(userId: string): Promise<{ content_uri: string; unused_expires_at: number }> {
    const { serverName, store, config, clock } = this.deps;
    const now = clock.now();
    const mediaId = newMediaId();
    const unusedExpiresTs = now + config.unused_expires_after_ms;
    const created = await store.insertPending({ serverName, mediaId, uploader: userId, createdTs: now, unusedExpiresTs }, config.max_pending_uploads);
    // As Synapse: too many ids waiting for their upload is a rate limit; one frees up at the latest when it expires.
    if (!created) throw errors.limitExceeded(config.unused_expires_after_ms);
    return { content_uri: mxcUri(serverName, mediaId), unused_expires_at: unusedExpiresTs };
  }

  async uploadTo(userId: string, serverName: string, mediaId: string, input: UploadInput): Promise<Record<string, never>> {
    const { store, clock } = this.deps;
    // Checked before a byte is read, so a refused upload stores nothing.
    const row = serverName === this.deps.serverName ? await store.get(serverName, mediaId) : undefined;
    if (!row || row.isRemote) throw errors.notFound("Unknown media id");
    if (row.uploader !== userId) throw errors.forbidden("This media id was created by another user");
    if (row.sha256 !== null) throw cannotOverwrite();
    if (row.unusedExpiresTs !== null && row.unusedExpiresTs <= clock.now()) throw errors.notFound("This media id has expired");
    const staged = await this.stage(input);
    await this.keep(staged, async (tx) => {
      if (!(await store.completePending(tx, serverName, mediaId, this.fields(input, staged), clock.now()))) throw cannotOverwrite();
    });
    this.waiters.uploaded(mediaKey(serverName, mediaId));
    this.onUploaded(serverName, mediaId);
    return {};
  }

  private fields(input: UploadInput, staged: StagedContent) {
    return { contentType: normaliseContentType(input.contentType), uploadName: cleanFileName(input.fileName), size: staged.size, sha256: staged.sha256 };
  }

  private async stage(input: UploadInput): Promise<StagedContent> {
    const max = this.deps.config.max_upload_bytes;
    if (input.declaredLength !== undefined && input.declaredLength > max) throw tooLarge(max);
    let staged: StagedContent;
    try {
      staged = await this.deps.files.stage(input.body, max);
    } catch (error) {
      if (error instanceof ContentTooLargeError) throw tooLarge(max);
      throw error;
    }
    if (input.declaredLength !== undefined && staged.size !== input.declaredLength) {
      await staged.discard();
      throw errors.unknown(`The body has ${staged.size} bytes but Content-Length said ${input.declaredLength}`);
    }
    return staged;
  }

  /** Writes the row with `write` and makes the file visible, together; on any failure neither stays. */
  private async keep(staged: StagedContent, write: (tx: Parameters<Parameters<MediaDeps["store"]["transaction"]>[0]>[0]) => Promise<void>): Promise<void> {
    try {
      await this.deps.store.transaction(async (tx) => {
        await this.deps.store.lockContent(tx, staged.sha256);
        await write(tx);
        await staged.commit();
      });
    } finally {
      await staged.discard();
    }
  }
}
