import type { Readable } from "node:stream";
import type { ByteRange, MediaFiles } from "./media-files.js";
import type { ServableMedia } from "./media-deps.js";
import { servable, type DownloadOptions, type MediaDownloads } from "./media-downloads.js";
import type { MediaThumbnails, ThumbnailRequest } from "./media-thumbnails.js";
import type { MediaUploads, UploadInput } from "./media-uploads.js";

/** The media repository as the HTTP layers see it: uploads, downloads and thumbnails, and reading the bytes. */
export class MediaRepository {
  constructor(
    private readonly uploads: MediaUploads,
    private readonly downloads: MediaDownloads,
    private readonly thumbnails: MediaThumbnails,
    private readonly files: MediaFiles,
  ) {}

  config(): { "m.upload.size": number } {
    return this.uploads.config();
  }

  upload(userId: string, input: UploadInput): Promise<{ content_uri: string }> {
    return this.uploads.upload(userId, input);
  }

  create(userId: string): Promise<{ content_uri: string; unused_expires_at: number }> {
    return this.uploads.create(userId);
  }

  uploadTo(userId: string, serverName: string, mediaId: string, input: UploadInput): Promise<Record<string, never>> {
    return this.uploads.uploadTo(userId, serverName, mediaId, input);
  }

  async download(serverName: string, mediaId: string, options: DownloadOptions): Promise<ServableMedia> {
    return servable(await this.downloads.find(serverName, mediaId, options));
  }

  thumbnail(serverName: string, mediaId: string, request: ThumbnailRequest, options: DownloadOptions): Promise<ServableMedia> {
    return this.thumbnails.thumbnail(serverName, mediaId, request, options);
  }

  /** The bytes of what download or thumbnail described; undefined when the file is gone meanwhile. */
  open(media: ServableMedia, range?: ByteRange): Promise<Readable | undefined> {
    return this.files.open(media.sha256, range);
  }
}
