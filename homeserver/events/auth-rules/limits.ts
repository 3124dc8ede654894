/**
 * Format limits that do not depend on room state: PDU size, identifier lengths, depth, and (v6+)
 * integers only within the range every JSON implementation represents exactly. Checked before the
 * auth rules so that no rule has to cope with absurd input.
 */
import { canonicalJson } from "../../crypto/canonical-json.js";
import type { IdentifiedPdu } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import { ALLOW, isObject, reject, utf8Length, type AuthResult } from "./common.js";

export const MAX_PDU_BYTES = 65_536;
export const MAX_ID_BYTES = 255;
/** Canonical JSON's integer range: ±(2^53 − 1). */
export const MAX_SAFE_JSON_INTEGER = Number.MAX_SAFE_INTEGER;

/** First number in `value` that strict canonical JSON forbids (a float or out-of-range integer). */
function findNonCanonicalNumber(value: unknown, path: string): string | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? undefined : path;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonCanonicalNumber(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      const found = findNonCanonicalNumber(inner, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The PDU as it travels: v3+ event ids are derived, not sent, so they do not count towards size. */
function wireForm(event: IdentifiedPdu, version: RoomVersion): Record<string, unknown> {
  if (version.eventIdFormat === "server-generated") return event;
  const { event_id: _derived, ...rest } = event;
  return rest;
}

export function checkEventLimits(event: IdentifiedPdu, version: RoomVersion): AuthResult {
  // Shape first: everything below and every rule relies on these types.
  if (typeof event.type !== "string") return reject("type must be a string");
  if (typeof event.sender !== "string") return reject("sender must be a string");
  if (!isObject(event.content)) return reject("content must be an object");
  if (event.state_key !== undefined && typeof event.state_key !== "string") return reject("state_key must be a string");
  if (event.room_id !== undefined && typeof event.room_id !== "string") return reject("room_id must be a string");
  if (!Array.isArray(event.prev_events) || !Array.isArray(event.auth_events)) {
    return reject("prev_events and auth_events must be lists");
  }
  if (typeof event.depth !== "number" || !Number.isInteger(event.depth) || event.depth < 0 || event.depth > MAX_SAFE_JSON_INTEGER) {
    return reject("depth must be an integer from 0 to 2^53-1");
  }

  const fields: Array<[string, string | undefined]> = [
    ["sender", event.sender],
    ["room_id", event.room_id],
    ["state_key", event.state_key],
    ["type", event.type],
    ["event_id", event.event_id],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined && utf8Length(value) > MAX_ID_BYTES) return reject(`${name} is longer than ${MAX_ID_BYTES} bytes`);
  }

  if (version.strictCanonicalJson) {
    // `unsigned` is neither hashed nor signed and servers annotate it freely; it is not judged.
    const { unsigned: _unsigned, ...judged } = event;
    const bad = findNonCanonicalNumber(judged, "event");
    if (bad) return reject(`${bad} is not an integer within ±(2^53-1)`);
  }

  const wire = wireForm(event, version);
  // Canonical JSON escapes what JSON.stringify escapes (and leaves lone surrogates raw, which is shorter),
  // so the native encoding's length bounds the canonical one: only a large event needs the exact figure.
  if (quickLength(wire) <= MAX_PDU_BYTES) return ALLOW;
  let size: number;
  try {
    size = utf8Length(canonicalJson(wire));
  } catch {
    return reject("event cannot be encoded as canonical JSON");
  }
  if (size > MAX_PDU_BYTES) return reject(`event is ${size} bytes, over the ${MAX_PDU_BYTES}-byte limit`);
  return ALLOW;
}

function quickLength(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value), "utf8");
  } catch {
    return Infinity;
  }
}
