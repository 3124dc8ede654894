import { createReadStream } from "node:fs";
import { mkdir, readdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type ByteRange, type MediaFiles, type StagedContent } from "./media-files.js";
import { SHA256_HEX, stageToFile } from "./staged-file.js";


export interface S3Settings {
  /** e.g. https://s3.eu-central-1.amazonaws.com or a MinIO/Garage/R2 URL; undefined: AWS's endpoint for the region. */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Undefined: the SDK's usual credential chain (AWS_ACCESS_KEY_ID..., an instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** https://endpoint/bucket/key instead of https://bucket.endpoint/key: what most S3-compatible stores want. */
  pathStyle: boolean;
}

/** An S3 error for an object that is not there (GetObject: NoSuchKey; HeadObject, which has no body: NotFound). */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Media files in an S3-compatible bucket, under `content/ab/cd/<sha256>` as on disk. The bytes are staged on
 * the local disk (`stagingDir`) while they arrive, since their name is their hash and only known at the
 * end; commit uploads them in one PutObject, which S3 makes visible whole or not at all.
 */
export class S3MediaFiles implements MediaFiles {
  private readonly client: S3Client;
  private readonly bucket: string;
  private ready: Promise<void> | undefined;

  constructor(
    settings: S3Settings,
    private readonly stagingDir: string,
  ) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.pathStyle,
      credentials: settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
      // Checksums only where S3 requires them: many S3-compatible stores refuse the newer default (CRC32
      // trailers in aws-chunked bodies) on plain PutObject.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.stagingDir, { recursive: true });
      for (const name of await readdir(this.stagingDir)) await rm(join(this.stagingDir, name), { force: true });
    })();
    return this.ready;
  }

  private keyOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error("not a SHA-256 content name");
    return `content/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async stage(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<StagedContent> {
    await this.init();
    const { tmpPath, sha256, size } = await stageToFile(this.stagingDir, source, maxBytes, { sync: false });
    const key = this.keyOf(sha256);
    let settled = false;
    return {
      sha256,
      size,
      commit: async () => {
        if (settled) return;
        settled = true;
        try {
          if (!(await this.exists(key))) {
            await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: createReadStream(tmpPath), ContentLength: size }));
          }
        } catch (error) {
          settled = false;
          throw error;
        }
        await unlink(tmpPath).catch(() => {});
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await unlink(tmpPath).catch(() => {});
      },
    };
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      const body = answer.Body;
      if (body instanceof Readable) return body;
      return body ? Readable.from(Buffer.from(await body.transformToByteArray())) : Readable.from([]);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(sha256: string): Promise<Buffer | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    // S3 answers a DELETE of a missing key with success too.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
