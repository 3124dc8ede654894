import { walk } from "canonical-json";

/**
 * The spec sorts object keys by Unicode code point; JavaScript's default sort compares UTF-16 code units.
 * They disagree only when one key has a surrogate (U+D800..U+DFFF, i.e. a character above U+FFFF) where the
 * other has U+E000..U+FFFF, so we remap exactly that range at the first differing unit.
 */
export function compareByCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * Canonical JSON as the spec's appendix defines it. We use the package's streaming `walk` rather than its
 * default export: the default rebuilds objects, and JavaScript then moves integer-like keys ("10", "9") to
 * the front in numeric order, which breaks lexicographic key order.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  walk(value, (chunk) => parts.push(chunk), compareByCodePoint);
  const text = parts.join("");
  // Lone surrogates cannot be encoded as UTF-8; escape them as JSON.stringify does so bytes stay valid.
  return hasLoneSurrogate(text) ? text.replace(LONE_SURROGATE, (s) => `\\u${s.charCodeAt(0).toString(16)}`) : text;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const hasLoneSurrogate = (text: string): boolean => !text.isWellFormed();

export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), "utf8");
}
