import { signJson } from "../homeserver/crypto/signed-json.js";
import type { SigningKey } from "../homeserver/crypto/signing-key.js";

/** The parameters of one `Authorization: X-Matrix ...` header. */
export interface XMatrixAuth {
  origin: string;
  /** Absent from servers older than spec v1.3; we always send it. */
  destination?: string;
  key: string;
  sig: string;
}

/** The object whose signature is the request's signature: method, target, both server names, the body. */
export interface RequestSigningJson {
  method: string;
  uri: string;
  origin: string;
  destination: string;
  content?: unknown;
  signatures?: Record<string, Record<string, string>>;
  [key: string]: unknown;
}

export function requestSigningJson(method: string, uri: string, origin: string, destination: string, content?: unknown): RequestSigningJson {
  const json: RequestSigningJson = { method, uri, origin, destination };
  if (content !== undefined) json.content = content;
  return json;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function formatXMatrix(auth: XMatrixAuth): string {
  // One space after the scheme and lower-case names: older servers parse nothing else.
  const parts = [`origin=${quote(auth.origin)}`];
  if (auth.destination !== undefined) parts.push(`destination=${quote(auth.destination)}`);
  parts.push(`key=${quote(auth.key)}`, `sig=${quote(auth.sig)}`);
  return `X-Matrix ${parts.join(",")}`;
}

/** The Authorization header value for a request from `origin` to `destination`. */
export function signRequest(options: {
  method: string;
  uri: string;
  origin: string;
  destination: string;
  content?: unknown;
  signingKey: SigningKey;
}): string {
  const json = requestSigningJson(options.method, options.uri, options.origin, options.destination, options.content);
  const signed = signJson(json, options.origin, options.signingKey);
  return formatXMatrix({
    origin: options.origin,
    destination: options.destination,
    key: options.signingKey.keyId,
    sig: signed.signatures[options.origin][options.signingKey.keyId],
  });
}

/**
 * Parses RFC 7235 auth-params after the `X-Matrix` scheme: names are case-insensitive, values are tokens or
 * quoted strings with backslash escapes, and (for older senders) unquoted values may contain colons.
 * Returns undefined when the header is not X-Matrix or lacks origin, key or sig.
 */
export function parseXMatrix(header: string): XMatrixAuth | undefined {
  const match = /^x-matrix[ \t]+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const text = match[1];
  const params = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i])) i++;
    if (i >= text.length) break;
    const eq = text.indexOf("=", i);
    if (eq < 0) return undefined;
    const name = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < text.length && /[ \t]/.test(text[i])) i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i];
        if (c === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return undefined;
    } else {
      const end = text.indexOf(",", i);
      value = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      i = end < 0 ? text.length : end;
    }
    if (name && !params.has(name)) params.set(name, value);
  }
  const origin = params.get("origin");
  const key = params.get("key");
  const sig = params.get("sig");
  if (!origin || !key || !sig) return undefined;
  const destination = params.get("destination");
  return { origin, key, sig, ...(destination !== undefined ? { destination } : {}) };
}
