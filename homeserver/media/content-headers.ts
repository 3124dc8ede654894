/**
 * The spec's list of content types a server may serve with `Content-Disposition: inline` ("Serving inline
 * content"): everything else is an attachment, so a browser never renders uploaded HTML, SVG or script as a
 * page of this server's origin.
 */
const INLINE_SAFE_TYPES = new Set([
  "text/css",
  "text/plain",
  "text/csv",
  "application/json",
  "application/ld+json",
  "image/jpeg",
  "image/gif",
  "image/png",
  "image/apng",
  "image/webp",
  "image/avif",
  "video/mp4",
  "video/webm",
  "video/ogg",
  "video/quicktime",
  "audio/mp4",
  "audio/webm",
  "audio/aac",
  "audio/mpeg",
  "audio/ogg",
  "audio/wave",
  "audio/wav",
  "audio/x-wav",
  "audio/x-pn-wav",
  "audio/flac",
  "audio/x-flac",
]);

/** The type without parameters, lower case: `Text/Plain; charset=utf-8` -> `text/plain`. */
export function baseContentType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

export const isInlineSafe = (contentType: string) => INLINE_SAFE_TYPES.has(baseContentType(contentType));

// A Content-Type we pass on must be one HTTP header value of printable ASCII, shaped type/subtype[; params].
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;[\x20-\x7e]*)?$/;

/** What we store and serve for a Content-Type we were given (by a client or a peer): application/octet-stream when absent or malformed. */
export function normaliseContentType(contentType: string | undefined): string {
  const value = contentType?.trim();
  if (!value || value.length > 255 || !CONTENT_TYPE.test(value)) return "application/octet-stream";
  return value;
}

/**
 * The last path segment of a file name without control characters: the name only ever goes into a header,
 * never into a path on disk, and a browser saving the file sees a plain name.
 */
export function cleanFileName(name: string | null | undefined): string | null {
  if (!name) return null;
  const last = name.split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const cleaned = last.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return null;
  return cleaned.slice(0, 255);
}

// RFC 6266 token characters: a name made only of these can be sent as it is.
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** RFC 5987 ext-value encoding: UTF-8, percent-encoded except attr-char. */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `inline` for the spec's safe types and `attachment` for the rest (the spec's Content-Disposition rules), with
 * the file name as a token when it is one and as `filename*=utf-8''...` (RFC 6266, RFC 5987) otherwise.
 */
export function contentDisposition(contentType: string, fileName: string | null): string {
  const type = isInlineSafe(contentType) ? "inline" : "attachment";
  const name = cleanFileName(fileName);
  if (!name) return type;
  if (TOKEN.test(name)) return `${type}; filename=${name}`;
  return `${type}; filename*=utf-8''${encodeExtValue(name)}`;
}

/**
 * Headers every media response carries, as Synapse sets them: a sandbox policy so that even a file a browser
 * renders cannot run script or load anything, no content sniffing, and loadable from other origins (web clients).
 */
export const MEDIA_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "cross-origin",
};
