import { join } from "node:path";
import type { Config } from "../core/config.js";
import { DiskMediaFiles } from "./disk-media-files.js";
import type { MediaFiles } from "./media-files.js";
import { S3MediaFiles } from "./s3-media-files.js";

/**
 * The store media.storage names: the local disk under media.path (or <data_dir>/media), or an S3-compatible
 * bucket, whose uploads are staged in that same folder's tmp/ until their hash is known.
 */
export function mediaFilesFromConfig(config: Pick<Config, "media" | "data_dir">): MediaFiles {
  const root = config.media.path ?? join(config.data_dir, "media");
  const storage = config.media.storage;
  if (storage.type === "disk") return new DiskMediaFiles(root);
  // The schema requires both for s3; checked again so that a config built around it fails here, not at the first upload.
  if (!storage.bucket || !storage.region) throw new Error("media.storage: bucket and region are required when type is s3");
  return new S3MediaFiles(
    {
      endpoint: storage.endpoint,
      bucket: storage.bucket,
      region: storage.region,
      accessKeyId: storage.access_key_id,
      secretAccessKey: storage.secret_access_key,
      pathStyle: storage.path_style,
    },
    join(root, "tmp"),
  );
}
