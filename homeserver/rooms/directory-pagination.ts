import { errors } from "../errors.js";

/** A room's place in the listing: most joined members first, then room id, so the order is total and stable. */
export interface ListingKey {
  joined: number;
  roomId: string;
}

/**
 * A `since` token names a boundary key and a direction: forward tokens continue after the key, backward tokens
 * end before it. Keys, not offsets, so rooms appearing or changing size between pages do not shift the pages.
 */
interface Boundary extends ListingKey {
  forward: boolean;
}

/** Sorts before every real key (no room has more members), and after every key (none has fewer than zero). */
const BEFORE_ALL: ListingKey = { joined: Number.MAX_SAFE_INTEGER, roomId: "" };
const AFTER_ALL: ListingKey = { joined: -1, roomId: "" };

export function compareKeys(a: ListingKey, b: ListingKey): number {
  if (a.joined !== b.joined) return b.joined - a.joined;
  return a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0;
}

function encode(key: ListingKey, forward: boolean): string {
  return Buffer.from(JSON.stringify({ n: key.joined, r: key.roomId, d: forward ? "f" : "b" })).toString("base64url");
}

function decode(token: string): Boundary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw errors.invalidParam("Invalid pagination token");
  }
  const { n, r, d } = (parsed ?? {}) as { n?: unknown; r?: unknown; d?: unknown };
  if (!Number.isSafeInteger(n) || (n as number) < -1 || typeof r !== "string" || (d !== "f" && d !== "b")) {
    throw errors.invalidParam("Invalid pagination token");
  }
  return { joined: n as number, roomId: r, forward: d === "f" };
}

export interface Page<T> {
  items: T[];
  nextBatch?: string;
  prevBatch?: string;
}

/** Cuts one page out of `sorted` (in listing order) at the place `since` names, with tokens for both neighbours. */
export function paginate<T>(sorted: T[], keyOf: (item: T) => ListingKey, limit: number, since?: string): Page<T> {
  const boundary = since === undefined ? undefined : decode(since);
  let start: number;
  let end: number;
  if (!boundary || boundary.forward) {
    start = boundary ? firstIndexWhere(sorted, (item) => compareKeys(keyOf(item), boundary) > 0) : 0;
    end = Math.min(sorted.length, start + limit);
  } else {
    end = firstIndexWhere(sorted, (item) => compareKeys(keyOf(item), boundary) >= 0);
    start = Math.max(0, end - limit);
  }
  const items = sorted.slice(start, end);
  const page: Page<T> = { items };
  if (end < sorted.length) page.nextBatch = encode(items.length > 0 ? keyOf(items[items.length - 1]) : BEFORE_ALL, true);
  if (start > 0) page.prevBatch = encode(items.length > 0 ? keyOf(items[0]) : AFTER_ALL, false);
  return page;
}

/** Binary search: the first index whose item satisfies `test`, which must be false then true along the array. */
function firstIndexWhere<T>(items: T[], test: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(items[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}
