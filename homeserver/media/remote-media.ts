import type { ThumbnailMethod } from "../storage/stores/media-store.js";

/** Another server's file as it answered: the type and name it gave, and the bytes. */
export interface RemoteMediaBody {
  contentType: string | undefined;
  fileName: string | null;
  bytes: Buffer;
}

/** A thumbnail as a client asked us for it, passed on to the media's origin as it is. */
export interface RemoteThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
}

/**
 * How the media repository gets another server's media (federation/client/remote-media-client.ts). Throws a
 * MatrixError the client may see: 404 M_NOT_FOUND when the peer has no such media, 502 when it cannot be
 * reached or the file is larger than `maxBytes`.
 */
export interface RemoteMediaSource {
  download(serverName: string, mediaId: string, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody>;
  /**
   * The origin's own thumbnail (federation /media/thumbnail, else the legacy one). Undefined when the origin
   * answered but gave no thumbnail (it cannot make one, does not know the media, or answered something
   * unusable): the caller then fetches the original and thumbnails it itself. Throws, as download does, only
   * when asking again for the original would fail the same way: the origin cannot be reached, or the media
   * is not uploaded yet.
   */
  thumbnail(serverName: string, mediaId: string, request: RemoteThumbnailRequest, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody | undefined>;
}
