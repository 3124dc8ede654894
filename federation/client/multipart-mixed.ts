/** One part of a multipart body: its headers (names in lower case) and its bytes. */
export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** The boundary parameter of a multipart Content-Type, unquoted; undefined when it is not multipart/mixed or has none. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/mixed\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Splits a multipart/mixed body (RFC 2046) into its parts, byte for byte: a part's content is binary and
 * may hold anything but the delimiter. Returns undefined when the body is not well formed.
 */
export function parseMultipartMixed(body: Buffer, boundary: string): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  // The first delimiter may open the body; each later one follows a CRLF that belongs to it. A preamble,
  // even an empty one (Synapse's body starts with CRLF and then the delimiter), ends with that CRLF.
  const opensBody = body.subarray(0, delimiter.length).equals(delimiter);
  let position = opensBody ? 0 : body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]));
  if (position < 0) return undefined;
  if (!opensBody) position += 2;
  const parts: MultipartPart[] = [];
  const next = Buffer.concat([Buffer.from("\r\n"), delimiter]);
  for (;;) {
    let start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString("latin1") === "--") return parts;
    // Transport padding, then the CRLF that ends the delimiter line.
    while (body[start] === 0x20 || body[start] === 0x09) start++;
    if (body.subarray(start, start + 2).toString("latin1") !== "\r\n") return undefined;
    start += 2;
    const end = body.indexOf(next, start);
    if (end < 0) return undefined;
    const part = body.subarray(start, end);
    const split = part.indexOf("\r\n\r\n");
    // A part with no headers at all starts with the blank line itself.
    if (part.subarray(0, 2).toString("latin1") === "\r\n") parts.push({ headers: {}, body: part.subarray(2) });
    else if (split < 0) return undefined;
    else parts.push({ headers: parseHeaders(part.subarray(0, split).toString("latin1")), body: part.subarray(split + 4) });
    position = end + 2;
  }
}

/** The file name a Content-Disposition gives (filename*=, RFC 5987, preferred over filename=), or null. */
export function dispositionFileName(header: string | undefined): string | null {
  if (!header) return null;
  const extended = /;\s*filename\*\s*=\s*([^']*)'[^']*'([^;\s]+)/i.exec(header);
  if (extended && /^utf-8$/i.test(extended[1])) {
    try {
      return decodeURIComponent(extended[2]);
    } catch {
      // An undecodable name falls through to the plain one.
    }
  }
  const quoted = /;\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, "$1");
  const token = /;\s*filename\s*=\s*([^;\s"]+)/i.exec(header);
  return token ? token[1] : null;
}
