/** Parsed dot-separated paths, by key: rules name the same few keys for every event. */
const parsed = new Map<string, readonly string[]>();

/**
 * The spec's dot-separated property path (appendices): `.` separates, `\.` is a literal dot and `\\` a
 * literal backslash, so `content.m\.mentions.user_ids` reads content["m.mentions"]["user_ids"].
 */
export function propertyPath(key: string): readonly string[] {
  let path = parsed.get(key);
  if (path) return path;
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === "\\" && (key[i + 1] === "." || key[i + 1] === "\\")) {
      current += key[++i];
    } else if (c === ".") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  path = parts;
  if (parsed.size > 10_000) parsed.clear();
  parsed.set(key, path);
  return path;
}

/** The value at `key` in the event, or undefined when any step is missing or not an object. */
export function propertyOf(event: Record<string, unknown>, key: string): unknown {
  let value: unknown = event;
  for (const part of propertyPath(key)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The non-compound canonical-JSON values event_property_is and _contains compare: strings, safe integers, booleans, null. */
export function isComparable(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isSafeInteger(value));
}
