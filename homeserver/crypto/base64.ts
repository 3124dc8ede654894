/** Matrix uses unpadded base64 everywhere; room versions 4+ use the URL-safe alphabet for event ids. */
export function encodeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

export function encodeUnpaddedUrlSafeBase64(bytes: Uint8Array): string {
  return encodeUnpaddedBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_");
}

const BASE64_PATTERN = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Accepts padded or unpadded input in either alphabet, since peers are lenient about padding. */
export function decodeBase64(text: string): Buffer {
  if (!BASE64_PATTERN.test(text)) throw new Error("invalid base64");
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}
