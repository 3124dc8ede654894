import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentTooLargeError } from "./media-files.js";
import { S3MediaFiles, type S3Settings } from "./s3-media-files.js";
import { S3StandIn } from "./testing/s3-stand-in.js";

const CREDENTIALS = { bucket: "myelin-media", region: "test-region-1", accessKeyId: "AKIDMYELINTEST", secretAccessKey: "stand-in-secret" };

async function text(stream: Readable | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString();
}

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe("media files in an S3-compatible bucket", () => {
  let s3: S3StandIn;
  let staging: string;
  let settings: S3Settings;
  let files: S3MediaFiles;

  beforeAll(async () => {
    s3 = new S3StandIn(CREDENTIALS);
    const endpoint = await s3.start();
    staging = await mkdtemp(join(tmpdir(), "myelin-s3-staging-"));
    settings = { endpoint, bucket: CREDENTIALS.bucket, region: CREDENTIALS.region, accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey, pathStyle: true };
    files = new S3MediaFiles(settings, staging);
  });
  afterAll(async () => {
    await s3.stop();
    await rm(staging, { recursive: true, force: true });
  });

  it("keeps staged bytes out of the bucket until commit, then stores them under their SHA-256, signed", async () => {
    const staged = await files.stage(chunks("hello ", "bucket"), 1024);
    expect(staged.sha256).toBe(createHash("sha256").update("hello bucket").digest("hex"));
    expect(staged.size).toBe(12);
    expect(s3.objects.size).toBe(0);
    await staged.commit();
    const key = `content/${staged.sha256.slice(0, 2)}/${staged.sha256.slice(2, 4)}/${staged.sha256}`;
    expect(s3.objects.get(key)?.body.toString()).toBe("hello bucket");
    expect(await readdir(staging)).toEqual([]);
    expect(s3.seen.length).toBeGreaterThan(0);
    expect(s3.seen.every((request) => request.signed)).toBe(true);
    expect(s3.seen.map((r) => r.method)).toEqual(["HEAD", "PUT"]);
  });

  it("sends a large file as one plain PUT of its bytes (no aws-chunked framing), which reads back the same", async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 17);
    const big = await files.stage(bytes, bytes.length);
    await big.commit();
    expect((await files.read(big.sha256))?.equals(bytes)).toBe(true);
  });

    it("reads whole files and byte ranges, and nothing for a hash it does not hold", async () => {
    const staged = await files.stage(Buffer.from("0123456789"), 1024);
    await staged.commit();
    expect(await text(await files.open(staged.sha256))).toBe("0123456789");
    expect(await text(await files.open(staged.sha256, { start: 2, end: 5 }))).toBe("2345");
    expect((await files.read(staged.sha256))?.toString()).toBe("0123456789");
    const missing = "f".repeat(64);
    expect(await files.open(missing)).toBeUndefined();
    expect(await files.read(missing)).toBeUndefined();
  });

  it("uploads the same bytes once, and removes a file (twice is fine)", async () => {
    const first = await files.stage(Buffer.from("same bytes"), 1024);
    await first.commit();
    const puts = () => s3.seen.filter((r) => r.method === "PUT").length;
    const before = puts();
    const second = await files.stage(Buffer.from("same bytes"), 1024);
    await second.commit();
    expect(puts()).toBe(before);
    await files.remove(first.sha256);
    await files.remove(first.sha256);
    expect(await files.read(first.sha256)).toBeUndefined();
  });

  it("stops at the limit and keeps nothing, staged or in the bucket; a discarded upload leaves nothing either", async () => {
    const objects = s3.objects.size;
    await expect(files.stage(chunks("12345", "67890"), 8)).rejects.toBeInstanceOf(ContentTooLargeError);
    const staged = await files.stage(Buffer.from("never kept"), 1024);
    await staged.discard();
    await staged.commit();
    expect(await readdir(staging)).toEqual([]);
    expect(s3.objects.size).toBe(objects);
  });

  it("is refused by the bucket with the wrong secret, and the stand-in refuses unsigned requests", async () => {
    const wrong = new S3MediaFiles({ ...settings, secretAccessKey: "not-the-secret" }, staging);
    const staged = await wrong.stage(Buffer.from("wrongly signed"), 1024);
    await expect(staged.commit()).rejects.toThrow();
    await staged.discard();
    expect([...s3.objects.values()].some((o) => o.body.toString() === "wrongly signed")).toBe(false);
    const unsigned = await fetch(`${settings.endpoint}/${CREDENTIALS.bucket}/content/aa/bb/x`, { method: "PUT", body: "x" });
    expect(unsigned.status).toBe(403);
    expect(s3.seen.at(-1)?.signed).toBe(false);
  });

  it("addresses the bucket by host name when path_style is off", async () => {
    // (An IP address as the endpoint is always addressed path-style: an IP has no subdomains.)
    const endpoint = settings.endpoint!.replace("127.0.0.1", "localhost");
    const virtualHosted = new S3MediaFiles({ ...settings, endpoint, pathStyle: false }, staging);
    const staged = await virtualHosted.stage(Buffer.from("virtual"), 1024);
    // myelin-media.localhost does not resolve on this machine: the error names the host the request went to.
    await expect(staged.commit()).rejects.toMatchObject({ hostname: "myelin-media.localhost" });
    await staged.discard();
  });
});
