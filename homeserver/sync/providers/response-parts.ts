import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";
import type { RoomParts, StreamContribution, SyncDraft } from "./provider.js";

/**
 * The providers' parts of one response, kept per provider so that the response lists them in provider order
 * whatever order their reads finished in: next_batch, rooms, account_data, presence, as clients have always
 * had them.
 */
export class ResponseParts {
  private readonly byProvider: StreamContribution[];

  constructor(providers: number) {
    this.byProvider = Array.from({ length: providers }, () => ({}));
  }

  add(provider: number, contribution: StreamContribution): void {
    this.byProvider[provider] = joinContributions(this.byProvider[provider], contribution);
  }

  /** Everything added so far, joined in provider order. */
  draft(): SyncDraft {
    let joined: StreamContribution = {};
    for (const contribution of this.byProvider) joined = joinContributions(joined, contribution);
    return { top: joined.top ?? {}, roomParts: joined.roomParts ?? new Map() };
  }

  /** The response: the token, then every top-level part, with each room's parts in their place in its section. */
  response(nextBatch: string): SyncResponse {
    const { top, roomParts } = this.draft();
    for (const [roomId, parts] of roomParts) {
      // Rooms the timeline leaves out (invites, rooms outside the filter) take no parts.
      const section = top.rooms?.join?.[roomId] ?? top.rooms?.leave?.[roomId];
      if (section) fillParts(section, parts);
    }
    return { next_batch: nextBatch, ...top };
  }
}

function joinContributions(a: StreamContribution, b: StreamContribution): StreamContribution {
  const top = a.top && b.top ? joinParts(a.top, b.top) : (a.top ?? b.top);
  if (!a.roomParts || !b.roomParts) return { top, roomParts: a.roomParts ?? b.roomParts };
  const roomParts = new Map(a.roomParts);
  for (const [roomId, parts] of b.roomParts) {
    const earlier = roomParts.get(roomId);
    roomParts.set(roomId, earlier ? joinParts(earlier, parts) : parts);
  }
  return { top, roomParts };
}

/** Sections by name; a section both have is joined field by field, lists one after the other. */
function joinParts<T extends Record<string, unknown>>(a: T, b: T): T {
  const joined: Record<string, unknown> = { ...a };
  for (const [name, section] of Object.entries(b)) {
    const earlier = joined[name];
    joined[name] = earlier === undefined ? section : joinSection(earlier, section);
  }
  return joined as T;
}

function joinSection(a: unknown, b: unknown): unknown {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return b;
  const joined: Record<string, unknown> = { ...a };
  for (const [field, value] of Object.entries(b)) {
    const earlier = joined[field];
    joined[field] = Array.isArray(earlier) && Array.isArray(value) ? [...earlier, ...value] : value;
  }
  return joined;
}

/**
 * The section was built with every part it has a place for, empty: filling them in place keeps the keys in the
 * section's order. A part the section has no place for is left out.
 */
function fillParts(section: object, parts: RoomParts): void {
  const fields = section as Record<string, unknown>;
  for (const [name, part] of Object.entries(parts)) if (name in fields) fields[name] = part;
}
