/**
 * What the server accepts inside JSON it is given (client bodies, filters in query strings, WebSocket
 * requests, federation bodies). Checked once where the JSON enters, so that nothing deeper in the server,
 * the database least of all, ever sees it:
 * - nesting deeper than MAX_JSON_DEPTH: canonical JSON, hashing, validation and JSON.stringify recurse, and a
 *   body of a few thousand levels overflows the stack (JSON.parse itself copes with far more);
 * - U+0000 in any string or key: PostgreSQL text cannot hold it, so it would fail in the middle of a write.
 * Matrix events and account data nest a few levels; 64 leaves ample room (Synapse has no explicit limit, but
 * its canonical JSON encoder is recursive too).
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonLimits {
  /** For envelopes around a body (a WebSocket request frame, a federation transaction). */
  maxDepth?: number;
  /** Only where each part is checked on its own later (the PDUs and EDUs of a federation transaction). */
  allowNul?: boolean;
}

/** Why `value` is not acceptable, or undefined when it is. Iterative, so any depth is safe to inspect. */
export function jsonInputProblem(value: unknown, limits: JsonLimits = {}): string | undefined {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const nulAllowed = limits.allowNul === true;
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === "string") {
      if (!nulAllowed && current.includes("\u0000")) return "U+0000 is not allowed in JSON strings";
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return `JSON nested deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (!nulAllowed && key.includes("\u0000")) return "U+0000 is not allowed in JSON keys";
      pending.push({ value: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A path or query parameter the server can store and compare: no U+0000. */
export function textParamProblem(value: string): string | undefined {
  return value.includes("\u0000") ? "U+0000 is not allowed in parameters" : undefined;
}
