/**
 * Media benchmark: a Myelin started as its own process (PostgreSQL when it answers, as `npm run bench`'s main
 * server), driven over loopback HTTP through the real routes, each figure beside the machine floor measured
 * in the same run with the same bytes and printed as a ratio of it:
 *
 *  1. upload: 10 MiB files POSTed to /_matrix/media/v3/upload one after another (each different, so none is
 *     deduplicated by its hash). Floor: the same bytes written with node:fs into the same file system and
 *     fsync'd, as the server stages them.
 *  2. download: the same files read back through /_matrix/client/v1/media/download. Floor: the floor's files
 *     read back with node:fs (page cache warm, as the server's are).
 *  3. thumbnails: 2000x1500 JPEGs uploaded, then thumbnails of sizes the upload did not pregenerate asked
 *     for (each one made on demand: the file read, decoded, resized, encoded, stored and served). Floor: sharp
 *     resizing the same image to the same sizes in this process, as many at a time.
 *
 *   npx tsx bench/media.ts [--embedded] [--files N] [--images N]
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import sharp from "sharp";
import type { Pool } from "undici";
import type { FederationFigure } from "./federation.js";
import { mapLimit, openPool, register, type Session } from "./matrix-http.js";
import { startBenchServer, type BenchServer } from "./server-process.js";

export interface MediaBenchOptions {
  /** 10 MiB files uploaded and downloaded (10). */
  files?: number;
  /** 2000x1500 JPEGs uploaded for the thumbnail figure (15); four thumbnails are asked of each. */
  images?: number;
  forceEmbedded?: boolean;
  log?: (line: string) => void;
}

const FILE_BYTES = 10 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Thumbnail requests in flight at once, and sharp calls in the floor: one per core of this 2-core machine. */
const THUMBNAIL_CONCURRENCY = 2;
/**
 * Sizes the server has to make: larger than every pregenerated crop (96x96) and scale (800x600), and each more
 * than 4 times the pixels of the one before, so that none is served a stored, larger one instead
 * (media-thumbnails.ts: choose). The answers' sizes are checked after the timed part.
 */
const ON_DEMAND_SIZES = [
  { width: 100, height: 100, method: "crop", expect: [100, 100] },
  { width: 220, height: 220, method: "crop", expect: [220, 220] },
  { width: 480, height: 480, method: "crop", expect: [480, 480] },
  { width: 1000, height: 1000, method: "scale", expect: [1000, 750] },
] as const;
const RECOMMENDED = [
  [32, 32, "crop"],
  [96, 96, "crop"],
  [320, 240, "scale"],
  [640, 480, "scale"],
  [800, 600, "scale"],
] as const;

let lastDatabase = "not started";
export function mediaBenchDatabase(): string {
  return lastDatabase;
}

export async function runMediaBench(options: MediaBenchOptions = {}): Promise<FederationFigure[]> {
  const files = options.files ?? 10;
  const images = options.images ?? 15;
  const log = options.log ?? ((line: string) => console.error(`[media] ${line}`));
  const server = await startBenchServer({ forceEmbedded: options.forceEmbedded ?? false, nodeArgs: [], keepFiles: false, asyncCommit: false });
  lastDatabase = server.database;
  log(`server pid ${server.pid}, database ${server.database}; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const pool = openPool(server.baseUrl, 8);
  // Beside the server's data folder: the same file system, removed with it.
  const floorDir = join(server.workDir, "floor");
  await mkdir(floorDir, { recursive: true });
  try {
    const user = await register(pool, `media-bench-${randomBytes(4).toString("hex")}`, "bench-password");
    return [...(await transferFigures(pool, user, floorDir, files, log)), ...(await thumbnailFigures(pool, user, server, images, log))];
  } finally {
    await pool.close().catch(() => undefined);
    await rm(floorDir, { recursive: true, force: true });
    await server.dispose();
  }
}

async function transferFigures(pool: Pool, user: Session, floorDir: string, count: number, log: (line: string) => void): Promise<FederationFigure[]> {
  const base = randomBytes(FILE_BYTES);
  // Each file differs in its first bytes, so the server stores every one (content-addressed files are shared).
  const payloads = Array.from({ length: count + 1 }, () => {
    const copy = Buffer.from(base);
    randomBytes(32).copy(copy);
    return copy;
  });
  // The first upload and write warm up connections, JIT and the folders; they are not counted.
  const [warm, ...measured] = payloads;
  await upload(pool, user, warm, "application/octet-stream");
  await writeSynced(join(floorDir, "warm"), warm);

  const uris: string[] = [];
  const uploadMs = await timed(async () => {
    for (const bytes of measured) uris.push(await upload(pool, user, bytes, "application/octet-stream"));
  });
  const writeMs = await timed(async () => {
    for (const [i, bytes] of measured.entries()) await writeSynced(join(floorDir, `f${i}`), bytes);
  });
  let downloaded = 0;
  const downloadMs = await timed(async () => {
    for (const uri of uris) downloaded += await download(pool, user, uri);
  });
  let read = 0;
  const readMs = await timed(async () => {
    for (let i = 0; i < measured.length; i++) read += (await readFile(join(floorDir, `f${i}`))).length;
  });
  const total = count * FILE_BYTES;
  if (downloaded !== total || read !== total) throw new Error(`read back ${downloaded} (HTTP) and ${read} (fs) bytes of ${total}`);
  const mbps = (ms: number) => total / MIB / (ms / 1000);
  const [up, write, down, fsRead] = [mbps(uploadMs), mbps(writeMs), mbps(downloadMs), mbps(readMs)];
  log(`${count} x 10 MiB: upload ${up.toFixed(1)} MiB/s (fs write+fsync ${write.toFixed(1)}), download ${down.toFixed(1)} MiB/s (fs read ${fsRead.toFixed(1)})`);
  return [
    { name: `media upload: ${count} files of 10 MiB, one after another, POST /_matrix/media/v3/upload`, value: round1(up), unit: "MiB/s" },
    { name: "  machine floor: the same bytes written with node:fs and fsync'd, same file system", value: round1(write), unit: "MiB/s" },
    { name: "  upload as a share of the floor", value: ratio(up, write), unit: "x floor" },
    { name: `media download: the same ${count} files, GET /_matrix/client/v1/media/download`, value: round1(down), unit: "MiB/s" },
    { name: "  machine floor: the same files read with node:fs (page cache warm, as the server's)", value: round1(fsRead), unit: "MiB/s" },
    { name: "  download as a share of the floor", value: ratio(down, fsRead), unit: "x floor" },
  ];
}

async function thumbnailFigures(pool: Pool, user: Session, server: BenchServer, count: number, log: (line: string) => void): Promise<FederationFigure[]> {
  const image = await photoLikeJpeg(2000, 1500);
  const uris: string[] = [];
  for (let i = 0; i < count; i++) uris.push(await upload(pool, user, image, "image/jpeg"));
  // Each upload queued its recommended sizes in the server's background; ask for them in upload order, so
  // that what the background has not made yet is made now and it has nothing left to compete with below.
  for (const uri of uris) for (const [width, height, method] of RECOMMENDED) await thumbnail(pool, user, uri, { width, height, method });
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const requests = uris.flatMap((uri) => ON_DEMAND_SIZES.map((size) => ({ uri, size })));
  const answers: Buffer[] = [];
  const serverMs = await timed(() => mapLimit(requests, THUMBNAIL_CONCURRENCY, async ({ uri, size }, i) => void (answers[i] = await thumbnail(pool, user, uri, size))));
  for (const [i, answer] of answers.entries()) {
    const { width, height } = await sharp(answer).metadata();
    const [w, h] = requests[i].size.expect;
    if (width !== w || height !== h) throw new Error(`a thumbnail asked for ${requests[i].size.width}x${requests[i].size.height} came back ${width}x${height}, not made for the request`);
  }
  const floorMs = await timed(() => mapLimit(requests, THUMBNAIL_CONCURRENCY, ({ size }) => resizeDirectly(image, size)));
  const perSecond = (ms: number) => requests.length / (ms / 1000);
  const [served, floor] = [perSecond(serverMs), perSecond(floorMs)];
  log(`${requests.length} thumbnails of a ${Math.round(image.length / 1024)} KiB 2000x1500 JPEG: ${served.toFixed(1)}/s through HTTP, ${floor.toFixed(1)}/s with sharp directly (server ${server.pid})`);
  return [
    { name: `media thumbnails: ${requests.length} made on demand from 2000x1500 JPEGs (${Math.round(image.length / 1024)} KiB), ${THUMBNAIL_CONCURRENCY} requests at a time`, value: round1(served), unit: "/s" },
    { name: "  machine floor: sharp resizing the same image to the same sizes in the bench process, as many at a time", value: round1(floor), unit: "/s" },
    { name: "  thumbnails as a share of the floor", value: ratio(served, floor), unit: "x floor" },
  ];
}

async function upload(pool: Pool, user: Session, body: Buffer, contentType: string): Promise<string> {
  const response = await pool.request({
    method: "POST",
    path: "/_matrix/media/v3/upload",
    headers: { authorization: `Bearer ${user.accessToken}`, "content-type": contentType, "content-length": String(body.length) },
    body,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`upload answered ${response.statusCode}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { content_uri: string }).content_uri;
}

/** Downloads a file whole and returns its length; the bytes are counted as they arrive, not kept. */
async function download(pool: Pool, user: Session, uri: string): Promise<number> {
  const response = await pool.request({ method: "GET", path: `/_matrix/client/v1/media/download/${mxcPath(uri)}`, headers: { authorization: `Bearer ${user.accessToken}` } });
  let length = 0;
  for await (const chunk of response.body) length += (chunk as Buffer).length;
  if (response.statusCode !== 200) throw new Error(`download answered ${response.statusCode}`);
  return length;
}

async function thumbnail(pool: Pool, user: Session, uri: string, size: { width: number; height: number; method: string }): Promise<Buffer> {
  const path = `/_matrix/client/v1/media/thumbnail/${mxcPath(uri)}?width=${size.width}&height=${size.height}&method=${size.method}`;
  const response = await pool.request({ method: "GET", path, headers: { authorization: `Bearer ${user.accessToken}` } });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  if (response.statusCode !== 200) throw new Error(`thumbnail answered ${response.statusCode}: ${bytes.toString().slice(0, 200)}`);
  return bytes;
}

/** What the server's thumbnailer does to a JPEG (thumbnailer.ts), straight from memory: no HTTP, no file, no row. */
async function resizeDirectly(image: Buffer, size: { width: number; height: number; method: string }): Promise<void> {
  await sharp(image)
    .rotate()
    .resize(size.width, size.height, { fit: size.method === "crop" ? "cover" : "inside", withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function writeSynced(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A JPEG that decodes like a photo: smooth gradients with fine noise over them (a flat colour would decode
 * unrealistically fast, pure noise would be several megabytes).
 */
async function photoLikeJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  const noise = randomBytes(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const n = (noise[i] & 31) - 16;
      pixels[i * 3] = clampByte((x * 255) / width + n);
      pixels[i * 3 + 1] = clampByte((y * 255) / height + n);
      pixels[i * 3 + 2] = clampByte(128 + 100 * Math.sin((x + y) / 60) + n);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

const clampByte = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
const mxcPath = (uri: string) => uri.replace(/^mxc:\/\//, "");
const round1 = (value: number) => Math.round(value * 10) / 10;
const ratio = (value: number, floor: number) => Math.round((value / floor) * 100) / 100;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { embedded: { type: "boolean", default: false }, files: { type: "string" }, images: { type: "string" } } });
  const figures = await runMediaBench({ forceEmbedded: values.embedded, files: values.files ? Number(values.files) : undefined, images: values.images ? Number(values.images) : undefined });
  console.log(`database: ${mediaBenchDatabase()}; 1-minute load average ${loadavg()[0].toFixed(2)}`);
  for (const { name, value, unit } of figures) console.log(`${name}: ${value} ${unit}`);
}
