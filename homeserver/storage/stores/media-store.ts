import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** One mxc:// URI: ours, or a cached copy of another server's. Content fields are null until it is uploaded. */
export interface MediaRow {
  serverName: string;
  mediaId: string;
  isRemote: boolean;
  /** The local user who uploaded it (or who may upload to an id from /create); null for remote media. */
  uploader: string | null;
  contentType: string | null;
  uploadName: string | null;
  size: number | null;
  sha256: string | null;
  createdTs: number;
  uploadedTs: number | null;
  /** An id from /create: when it stops accepting its upload. */
  unusedExpiresTs: number | null;
  lastAccessTs: number;
  /** Noted the first time an image is thumbnailed; undefined until then (and for what is not an image). */
  image?: { width: number; height: number; animated: boolean };
}

/** The content of a media row once it has bytes. */
export interface MediaContentFields {
  contentType: string;
  uploadName: string | null;
  size: number;
  sha256: string;
}

export type ThumbnailMethod = "crop" | "scale";

export interface ThumbnailRow {
  serverName: string;
  mediaId: string;
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
  contentType: string;
  size: number;
  sha256: string;
  createdTs: number;
}

interface MediaDbRow {
  server_name: string;
  media_id: string;
  is_remote: boolean;
  uploader: string | null;
  content_type: string | null;
  upload_name: string | null;
  size: string | number | null;
  sha256: string | null;
  created_ts: string | number;
  uploaded_ts: string | number | null;
  unused_expires_ts: string | number | null;
  last_access_ts: string | number;
  image_width: number | null;
  image_height: number | null;
  image_animated: boolean | null;
}

const numberOrNull = (value: string | number | null) => (value === null ? null : Number(value));

function toMediaRow(r: MediaDbRow): MediaRow {
  return {
    serverName: r.server_name,
    mediaId: r.media_id,
    isRemote: r.is_remote,
    uploader: r.uploader,
    contentType: r.content_type,
    uploadName: r.upload_name,
    size: numberOrNull(r.size),
    sha256: r.sha256,
    createdTs: Number(r.created_ts),
    uploadedTs: numberOrNull(r.uploaded_ts),
    unusedExpiresTs: numberOrNull(r.unused_expires_ts),
    lastAccessTs: Number(r.last_access_ts),
    ...(r.image_width !== null && r.image_height !== null ? { image: { width: r.image_width, height: r.image_height, animated: r.image_animated === true } } : {}),
  };
}

/**
 * The media, media_thumbnails and media_repository_state tables. Files are named by the SHA-256 of their bytes
 * and shared between rows; `lockContent` serialises "a row now names this file" with "no row names this file
 * any more, delete it", so a file is never deleted under a row that is being written.
 */
export class MediaStore {
  constructor(private readonly db: Db) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async get(serverName: string, mediaId: string, executor: Db | Tx = this.db): Promise<MediaRow | undefined> {
    const { rows } = await sql<MediaDbRow>`
      SELECT * FROM media WHERE server_name = ${serverName} AND media_id = ${mediaId}`.execute(executor);
    return rows[0] ? toMediaRow(rows[0]) : undefined;
  }

  /**
   * Reserves an id for a later upload (POST /media/v1/create) unless `uploader` already holds `maxPending`
   * unused ids that have not expired; false when over the limit. The user's ids are counted under a lock, so
   * concurrent requests cannot together pass the limit.
   */
  async insertPending(row: { serverName: string; mediaId: string; uploader: string; createdTs: number; unusedExpiresTs: number }, maxPending: number): Promise<boolean> {
    return this.transaction(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`media-pending:${row.uploader}`}))`.execute(tx);
      const { rows } = await sql<{ count: string | number }>`
        SELECT count(*) AS count FROM media
         WHERE uploader = ${row.uploader} AND sha256 IS NULL AND unused_expires_ts > ${row.createdTs}`.execute(tx);
      if (Number(rows[0]?.count ?? 0) >= maxPending) return false;
      await sql`
        INSERT INTO media (server_name, media_id, is_remote, uploader, created_ts, unused_expires_ts, last_access_ts)
        VALUES (${row.serverName}, ${row.mediaId}, false, ${row.uploader}, ${row.createdTs}, ${row.unusedExpiresTs}, ${row.createdTs})`.execute(tx);
      return true;
    });
  }

  /** A local upload in one step (POST /upload). */
  async insertLocal(tx: Tx, row: { serverName: string; mediaId: string; uploader: string; ts: number } & MediaContentFields): Promise<void> {
    await sql`
      INSERT INTO media (server_name, media_id, is_remote, uploader, content_type, upload_name, size, sha256, created_ts, uploaded_ts, last_access_ts)
      VALUES (${row.serverName}, ${row.mediaId}, false, ${row.uploader}, ${row.contentType}, ${row.uploadName}, ${row.size}, ${row.sha256}, ${row.ts}, ${row.ts}, ${row.ts})`.execute(tx);
  }

  /**
   * Gives an id from /create its content; false when it has content already (or is gone). The caller has
   * checked who may upload and whether it expired; the condition here only makes two racing uploads safe.
   */
  async completePending(tx: Tx, serverName: string, mediaId: string, content: MediaContentFields, ts: number): Promise<boolean> {
    const result = await sql`
      UPDATE media SET content_type = ${content.contentType}, upload_name = ${content.uploadName}, size = ${content.size},
             sha256 = ${content.sha256}, uploaded_ts = ${ts}, unused_expires_ts = NULL, last_access_ts = ${ts}
       WHERE server_name = ${serverName} AND media_id = ${mediaId} AND sha256 IS NULL`.execute(tx);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * A copy of another server's media; a copy stored meanwhile by another request is kept. A row that so far
   * held only thumbnails from the origin (insertRemotePlaceholder) gets the content.
   */
  async insertRemote(tx: Tx, row: { serverName: string; mediaId: string; ts: number } & MediaContentFields): Promise<void> {
    await sql`
      INSERT INTO media (server_name, media_id, is_remote, content_type, upload_name, size, sha256, created_ts, uploaded_ts, last_access_ts)
      VALUES (${row.serverName}, ${row.mediaId}, true, ${row.contentType}, ${row.uploadName}, ${row.size}, ${row.sha256}, ${row.ts}, ${row.ts}, ${row.ts})
      ON CONFLICT (server_name, media_id) DO UPDATE
        SET content_type = EXCLUDED.content_type, upload_name = EXCLUDED.upload_name, size = EXCLUDED.size, sha256 = EXCLUDED.sha256,
            uploaded_ts = EXCLUDED.uploaded_ts, last_access_ts = EXCLUDED.last_access_ts
        WHERE media.is_remote AND media.sha256 IS NULL`.execute(tx);
  }

  /**
   * A row for another server's media whose original we do not hold, so that the thumbnails its origin made can
   * be kept (and expire with it under the retention job); nothing happens when the row exists.
   */
  async insertRemotePlaceholder(tx: Tx, row: { serverName: string; mediaId: string; ts: number }): Promise<void> {
    await sql`
      INSERT INTO media (server_name, media_id, is_remote, created_ts, last_access_ts)
      VALUES (${row.serverName}, ${row.mediaId}, true, ${row.ts}, ${row.ts})
      ON CONFLICT (server_name, media_id) DO NOTHING`.execute(tx);
  }

  /** A remote copy was read: it is kept for another retention period. */
  async touch(serverName: string, mediaId: string, ts: number): Promise<void> {
    await sql`UPDATE media SET last_access_ts = ${ts} WHERE server_name = ${serverName} AND media_id = ${mediaId}`.execute(this.db);
  }

  async setImageInfo(serverName: string, mediaId: string, image: { width: number; height: number; animated: boolean }): Promise<void> {
    await sql`
      UPDATE media SET image_width = ${image.width}, image_height = ${image.height}, image_animated = ${image.animated}
       WHERE server_name = ${serverName} AND media_id = ${mediaId}`.execute(this.db);
  }

  async thumbnails(serverName: string, mediaId: string): Promise<ThumbnailRow[]> {
    const { rows } = await sql<{
      width: number;
      height: number;
      method: ThumbnailMethod;
      animated: boolean;
      content_type: string;
      size: string | number;
      sha256: string;
      created_ts: string | number;
    }>`
      SELECT width, height, method, animated, content_type, size, sha256, created_ts FROM media_thumbnails
       WHERE server_name = ${serverName} AND media_id = ${mediaId}
       ORDER BY width, height`.execute(this.db);
    return rows.map((r) => ({
      serverName,
      mediaId,
      width: r.width,
      height: r.height,
      method: r.method,
      animated: r.animated,
      contentType: r.content_type,
      size: Number(r.size),
      sha256: r.sha256,
      createdTs: Number(r.created_ts),
    }));
  }

  /** False when the media row is gone (deleted meanwhile) or the thumbnail was stored by another request. */
  async insertThumbnail(tx: Tx, row: ThumbnailRow): Promise<boolean> {
    const result = await sql`
      INSERT INTO media_thumbnails (server_name, media_id, width, height, method, animated, content_type, size, sha256, created_ts)
      SELECT ${row.serverName}, ${row.mediaId}, ${row.width}, ${row.height}, ${row.method}, ${row.animated}, ${row.contentType}, ${row.size}, ${row.sha256}, ${row.createdTs}
       WHERE EXISTS (SELECT 1 FROM media WHERE server_name = ${row.serverName} AND media_id = ${row.mediaId})
      ON CONFLICT DO NOTHING`.execute(tx);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** Held until `tx` ends: see the class comment. */
  async lockContent(tx: Tx, sha256: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`media-content:${sha256}`}))`.execute(tx);
  }

  async isContentReferenced(tx: Tx, sha256: string): Promise<boolean> {
    const { rows } = await sql<{ referenced: boolean }>`
      SELECT (EXISTS (SELECT 1 FROM media WHERE sha256 = ${sha256})
           OR EXISTS (SELECT 1 FROM media_thumbnails WHERE sha256 = ${sha256})) AS referenced`.execute(tx);
    return rows[0]?.referenced === true;
  }

  /** Remote copies nobody read since `beforeTs`, oldest first. */
  async remoteNotAccessedSince(beforeTs: number, limit: number): Promise<Array<{ serverName: string; mediaId: string }>> {
    const { rows } = await sql<{ server_name: string; media_id: string }>`
      SELECT server_name, media_id FROM media WHERE is_remote AND last_access_ts < ${beforeTs}
       ORDER BY last_access_ts LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({ serverName: r.server_name, mediaId: r.media_id }));
  }

  /** Deletes a row and its thumbnails; returns the content hashes they named, whose files may now be unused. */
  async deleteMedia(tx: Tx, serverName: string, mediaId: string): Promise<string[]> {
    const { rows: thumbnails } = await sql<{ sha256: string }>`
      DELETE FROM media_thumbnails WHERE server_name = ${serverName} AND media_id = ${mediaId} RETURNING sha256`.execute(tx);
    const { rows: media } = await sql<{ sha256: string | null }>`
      DELETE FROM media WHERE server_name = ${serverName} AND media_id = ${mediaId} RETURNING sha256`.execute(tx);
    return [...new Set([...media.map((r) => r.sha256), ...thumbnails.map((r) => r.sha256)].filter((s): s is string => s !== null))];
  }

  /** Ids from /create whose time ran out without an upload: they no longer count against anyone's limit. */
  async deleteExpiredPending(now: number): Promise<number> {
    const result = await sql`DELETE FROM media WHERE sha256 IS NULL AND unused_expires_ts <= ${now}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** When the media repository was first set up: the default cut-off of the legacy endpoints. */
  async legacyCutoffTs(): Promise<number> {
    const { rows } = await sql<{ legacy_cutoff_ts: string | number }>`SELECT legacy_cutoff_ts FROM media_repository_state WHERE id = 1`.execute(this.db);
    return Number(rows[0]?.legacy_cutoff_ts ?? 0);
  }
}
