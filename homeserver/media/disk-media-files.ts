import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type ByteRange, type MediaFiles, type StagedContent } from "./media-files.js";
import { SHA256_HEX, stageToFile } from "./staged-file.js";


/**
 * Media files on the local disk under `root`: `content/ab/cd/<sha256>`, staged in `tmp/` first and renamed
 * into place once complete and synced, so a crash or an aborted upload never leaves a half-written file
 * under a hash (a leftover in tmp/ is removed at the next start).
 */
export class DiskMediaFiles implements MediaFiles {
  private readonly contentDir: string;
  private readonly tmpDir: string;
  private ready: Promise<void> | undefined;

  constructor(root: string) {
    this.contentDir = join(root, "content");
    this.tmpDir = join(root, "tmp");
  }

  /** Creates the folders and drops whatever an earlier run left staged; done once, at the first write. */
  private init(): Promise<void> {
    this.ready ??= this.prepare();
    return this.ready;
  }

  private async prepare(): Promise<void> {
    await mkdir(this.contentDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { force: true });
  }

  private pathOf(sha256: string): string {
    // Only ever a hash we computed or read back from our own rows; checked anyway, so no name can reach outside the root.
    if (!SHA256_HEX.test(sha256)) throw new Error("not a SHA-256 content name");
    return join(this.contentDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async stage(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<StagedContent> {
    await this.init();
    const { tmpPath, sha256, size } = await stageToFile(this.tmpDir, source, maxBytes, { sync: true });
    const finalPath = this.pathOf(sha256);
    let settled = false;
    return {
      sha256,
      size,
      commit: async () => {
        if (settled) return;
        settled = true;
        if (await exists(finalPath)) {
          await unlink(tmpPath).catch(() => {});
          return;
        }
        await mkdir(join(finalPath, ".."), { recursive: true });
        await rename(tmpPath, finalPath);
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await unlink(tmpPath).catch(() => {});
      },
    };
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.pathOf(sha256);
    if (!(await exists(path))) return undefined;
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async read(sha256: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
