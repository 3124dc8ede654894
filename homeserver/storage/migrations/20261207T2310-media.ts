import { sql, type Kysely } from "kysely";

// The media repository (client-server API, "Content repository"); the bytes are files named by their SHA-256
// (homeserver/media/disk-media-files.ts), these tables say what each mxc:// URI is.
// - media: one row per mxc://server_name/media_id, ours or a cached copy of another server's (is_remote).
//   An id handed out by POST /media/v1/create and not yet uploaded to has sha256 NULL and an
//   unused_expires_ts; uploader is the local user who may upload to it (NULL for remote media). Rows of the same
//   bytes share one sha256 and so one file. last_access_ts drives the retention of remote copies. image_* are
//   an image's size and whether it is animated, noted when it is first thumbnailed (so that choosing a
//   thumbnail never needs the file).
// - media_thumbnails: thumbnails made of a row's image, by size, method and animation; deleted with the row.
// - media_repository_state: when this migration ran, the default cut-off of the legacy unauthenticated
//   download endpoints (config media.legacy_unauthenticated_cutoff).
const STATEMENTS = [
  `CREATE TABLE media (
     server_name text NOT NULL,
     media_id text NOT NULL,
     is_remote boolean NOT NULL,
     uploader text,
     content_type text,
     upload_name text,
     size bigint,
     sha256 text,
     created_ts bigint NOT NULL,
     uploaded_ts bigint,
     unused_expires_ts bigint,
     last_access_ts bigint NOT NULL,
     image_width integer,
     image_height integer,
     image_animated boolean,
     PRIMARY KEY (server_name, media_id)
   )`,
  `CREATE INDEX media_by_sha256 ON media (sha256)`,
  // Counting a user's unused ids (the per-user limit of /create).
  `CREATE INDEX media_pending_by_uploader ON media (uploader) WHERE sha256 IS NULL`,
  // The retention job's scan of remote copies.
  `CREATE INDEX media_remote_by_access ON media (last_access_ts) WHERE is_remote`,
  `CREATE TABLE media_thumbnails (
     server_name text NOT NULL,
     media_id text NOT NULL,
     width integer NOT NULL,
     height integer NOT NULL,
     method text NOT NULL,
     animated boolean NOT NULL,
     content_type text NOT NULL,
     size bigint NOT NULL,
     sha256 text NOT NULL,
     created_ts bigint NOT NULL,
     PRIMARY KEY (server_name, media_id, method, animated, width, height),
     FOREIGN KEY (server_name, media_id) REFERENCES media (server_name, media_id) ON DELETE CASCADE
   )`,
  `CREATE INDEX media_thumbnails_by_sha256 ON media_thumbnails (sha256)`,
  `CREATE TABLE media_repository_state (
     id integer PRIMARY KEY CHECK (id = 1),
     legacy_cutoff_ts bigint NOT NULL
   )`,
  `INSERT INTO media_repository_state (id, legacy_cutoff_ts) VALUES (1, (extract(epoch from now()) * 1000)::bigint)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
