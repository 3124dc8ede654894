import { errors } from "../../errors.js";
import type { SearchGroupKey, SearchOrderBy } from "../../../schemas/client/search/search.js";

/**
 * A next_batch: where a page of results stopped, in which order, and (for a group's next_batch) the one room
 * or sender the next pages stay in. Opaque to clients: base64url of a small JSON object.
 */
export interface SearchToken {
  order: SearchOrderBy;
  streamPos: number;
  /** For order "rank": the rank of the row at streamPos. */
  rank?: number;
  group?: { key: SearchGroupKey; value: string };
}

interface Wire {
  o: SearchOrderBy;
  p: number;
  r?: number;
  g?: SearchGroupKey;
  k?: string;
}

export function formatSearchToken(token: SearchToken): string {
  const wire: Wire = { o: token.order, p: token.streamPos };
  if (token.rank !== undefined) wire.r = token.rank;
  if (token.group) {
    wire.g = token.group.key;
    wire.k = token.group.value;
  }
  return Buffer.from(JSON.stringify(wire), "utf8").toString("base64url");
}

/** Throws 400 M_INVALID_PARAM for anything formatSearchToken did not make, or made for the other order. */
export function parseSearchToken(text: string, order: SearchOrderBy): SearchToken {
  const token = decode(text);
  if (!token) throw errors.invalidParam("Invalid next_batch");
  if (token.order !== order) throw errors.invalidParam(`next_batch continues a search ordered by ${token.order}, not ${order}`);
  return token;
}

function decode(text: string): SearchToken | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(text)) return undefined;
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof wire !== "object" || wire === null || Array.isArray(wire)) return undefined;
  const { o, p, r, g, k } = wire as Record<string, unknown>;
  if (o !== "rank" && o !== "recent") return undefined;
  if (!Number.isSafeInteger(p)) return undefined;
  if (o === "rank" ? typeof r !== "number" || !Number.isFinite(r) : r !== undefined) return undefined;
  const token: SearchToken = { order: o, streamPos: p as number };
  if (o === "rank") token.rank = r as number;
  if (g !== undefined || k !== undefined) {
    if ((g !== "room_id" && g !== "sender") || typeof k !== "string" || k.length === 0 || k.includes("\u0000")) return undefined;
    token.group = { key: g, value: k };
  }
  return token;
}
