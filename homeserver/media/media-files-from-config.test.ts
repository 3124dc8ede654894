import { describe, expect, it } from "vitest";
import { buildConfig } from "../core/config.js";
import { DiskMediaFiles } from "./disk-media-files.js";
import { mediaFilesFromConfig } from "./media-files-from-config.js";
import { S3MediaFiles } from "./s3-media-files.js";

describe("media.storage", () => {
  it("keeps files on the local disk unless told otherwise", () => {
    const config = buildConfig({ data_dir: "/tmp/myelin-storage-test" });
    expect(config.media.storage).toEqual({ type: "disk", path_style: false });
    expect(mediaFilesFromConfig(config)).toBeInstanceOf(DiskMediaFiles);
  });

  it("uses the bucket it names, also when set from the environment", () => {
    const env = { MYELIN_MEDIA__STORAGE__TYPE: "s3", MYELIN_MEDIA__STORAGE__BUCKET: "media", MYELIN_MEDIA__STORAGE__REGION: "auto", MYELIN_MEDIA__STORAGE__PATH_STYLE: "true" };
    const config = buildConfig({ data_dir: "/tmp/myelin-storage-test" }, env);
    expect(config.media.storage).toEqual({ type: "s3", bucket: "media", region: "auto", path_style: true });
    expect(mediaFilesFromConfig(config)).toBeInstanceOf(S3MediaFiles);
  });

  it("names the key that is missing or wrong", () => {
    const build = (storage: Record<string, unknown>) => () => buildConfig({ media: { storage } });
    expect(build({ type: "s3", region: "auto" })).toThrow(/media\.storage: must have required property 'bucket'/);
    expect(build({ type: "s3", bucket: "b", region: "auto", access_key_id: "AKID" })).toThrow(/secret_access_key/);
    expect(build({ type: "s3", bucket: "b", region: "auto", endpoint: "s3.example.org" })).toThrow(/media\.storage\.endpoint/);
    expect(build({ type: "gcs" })).toThrow(/media\.storage\.type: must be one of disk, s3/);
    expect(build({ type: "disk", secret: "x" })).toThrow(/media\.storage\.secret: unknown key/);
  });
});
