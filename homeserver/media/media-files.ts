import type { Readable } from "node:stream";

/** Bytes `start` to `end`, both included, as an HTTP Range names them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Bytes written aside and hashed, not yet visible under their hash: commit makes them so, discard drops them. */
export interface StagedContent {
  sha256: string;
  size: number;
  /** Idempotent when the same bytes are already stored: the existing file is kept. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** More bytes than allowed arrived; nothing was kept. */
export class ContentTooLargeError extends Error {
  override name = "ContentTooLargeError";
}

/**
 * Where media bytes live, named by their SHA-256 (two uploads of the same bytes share one file). Behind this
 * interface so that an S3-compatible store can replace the local disk (disk-media-files.ts).
 */
export interface MediaFiles {
  /** Streams `source` aside, hashing and counting it; past `maxBytes` it stops, keeps nothing and throws ContentTooLargeError. */
  stage(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<StagedContent>;
  /** The stored bytes (or a range of them); undefined when there is no such file. */
  open(sha256: string, range?: ByteRange): Promise<Readable | undefined>;
  /** All of a file's bytes, for thumbnailing; undefined when there is no such file. */
  read(sha256: string): Promise<Buffer | undefined>;
  /** Deletes the file; nothing happens when it is already gone. */
  remove(sha256: string): Promise<void>;
}
