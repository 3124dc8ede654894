/** Another server's file as it answered: the type and name it gave, and the bytes. */
export interface RemoteMediaBody {
  contentType: string | undefined;
  fileName: string | null;
  bytes: Buffer;
}

/**
 * How the media repository gets another server's media (federation/client/remote-media-client.ts). Throws a
 * MatrixError the client may see: 404 M_NOT_FOUND when the peer has no such media, 502 when it cannot be
 * reached or the file is larger than `maxBytes`.
 */
export interface RemoteMediaSource {
  download(serverName: string, mediaId: string, options: { maxBytes: number; timeoutMs: number }): Promise<RemoteMediaBody>;
}
