import { createHash, randomBytes } from "node:crypto";
import { open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ContentTooLargeError } from "./media-files.js";

/** Only ever a hash we computed or read back from our own rows; checked anyway, so no name can reach outside the store. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface StagedFile {
  tmpPath: string;
  sha256: string;
  size: number;
}

/**
 * Writes `source` to a new file in `dir` while hashing it, refusing more than `maxBytes` (the file is then
 * removed): media is named by its hash, known only once the last byte is in. `sync` fsyncs the file before it
 * is named (disk stores rename it into place; a store that uploads it reads it back at once).
 */
export async function stageToFile(dir: string, source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number, options: { sync: boolean }): Promise<StagedFile> {
  const tmpPath = join(dir, `${randomBytes(12).toString("hex")}.part`);
  const hash = createHash("sha256");
  let size = 0;
  const handle = await open(tmpPath, "wx");
  try {
    const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > maxBytes) throw new ContentTooLargeError(`more than ${maxBytes} bytes`);
      hash.update(chunk);
      await handle.write(chunk);
    }
    if (options.sync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(tmpPath).catch(() => {});
    throw error;
  }
  await handle.close();
  return { tmpPath, sha256: hash.digest("hex"), size };
}
