import type { ByteRange } from "./media-files.js";

/**
 * What a Range header asks of a file of `size` bytes (RFC 9110, 14.2): one range, "unsatisfiable" when it
 * starts past the end, or undefined to serve the whole file (no header, a form we do not serve such as
 * several ranges, or one that does not parse: a server may ignore Range).
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end };
}
