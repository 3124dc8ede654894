import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../database.js";

/** One stored preview: the Open Graph JSON of a URL as fetched at fetchedTs. */
export interface StoredUrlPreview {
  og: string;
  fetchedTs: number;
  expiresTs: number;
}

const urlHash = (url: string) => createHash("sha256").update(url).digest("hex");

/** The `url_previews` table: successful URL previews, kept until they expire. */
export class UrlPreviewStore {
  constructor(private readonly db: Db) {}

  /**
   * The preview of `url` for the moment `ts`, among those still valid at `now`: the newest fetched at or before
   * `ts`, else the oldest fetched after it (the spec lets a server answer a newer version).
   */
  async find(url: string, ts: number, now: number): Promise<StoredUrlPreview | undefined> {
    const hash = urlHash(url);
    const pick = async (before: boolean) => {
      const { rows } = await sql<{ og: string; fetched_ts: string | number; expires_ts: string | number }>`
        SELECT og, fetched_ts, expires_ts FROM url_previews
        WHERE url_hash = ${hash} AND url = ${url} AND expires_ts > ${now}
          AND ${before ? sql`fetched_ts <= ${ts}` : sql`fetched_ts > ${ts}`}
        ORDER BY fetched_ts ${before ? sql`DESC` : sql`ASC`}
        LIMIT 1`.execute(this.db);
      return rows[0];
    };
    const row = (await pick(true)) ?? (await pick(false));
    return row && { og: row.og, fetchedTs: Number(row.fetched_ts), expiresTs: Number(row.expires_ts) };
  }

  /** Stores a fetch; a second fetch of the same URL in the same millisecond keeps the first. */
  async insert(url: string, preview: StoredUrlPreview): Promise<void> {
    await sql`
      INSERT INTO url_previews (url_hash, url, fetched_ts, expires_ts, og)
      VALUES (${urlHash(url)}, ${url}, ${preview.fetchedTs}, ${preview.expiresTs}, ${preview.og})
      ON CONFLICT (url_hash, fetched_ts) DO NOTHING`.execute(this.db);
  }

  /** Expired previews are never answered again. */
  async deleteExpired(now: number): Promise<void> {
    await sql`DELETE FROM url_previews WHERE expires_ts <= ${now}`.execute(this.db);
  }

  /** How many previews are stored for `url` (tests and operators). */
  async count(url: string): Promise<number> {
    const { rows } = await sql<{ count: string | number }>`SELECT count(*) AS count FROM url_previews WHERE url_hash = ${urlHash(url)}`.execute(this.db);
    return Number(rows[0].count);
  }
}
