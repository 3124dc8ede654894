import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import type { RelationsStore } from "../../storage/stores/relations-store.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { formatRoomToken, parseRoomToken } from "../../streams/sync-token.js";
import type { Requester } from "../../users/requester.js";
import type { GetRelationsResponse } from "../../../schemas/client/relations/get-relations.js";
import type { GetThreadsResponse } from "../../../schemas/client/relations/get-threads.js";
import { formatEvents, type AggregationSource } from "../read-formatting.js";
import type { RoomAccess, RoomAccessChecker } from "../room-access.js";
import type { RoomStateReader } from "../room-state-reader.js";

export interface RelationsRequest {
  relType?: string;
  eventType?: string;
  from?: string;
  to?: string;
  limit?: number;
  dir?: "b" | "f";
  recurse?: boolean;
}

export interface ThreadsRequest {
  include?: "all" | "participated";
  from?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
/** The spec: servers SHOULD follow at least 3 levels when recursing; deeper costs more and no client needs it. */
export const RECURSION_DEPTH = 3;
/** Rows one request may look at while history visibility hides what it finds (as /messages). */
const MAX_SCAN = 2000;
/** Backfilled history has negative positions: paging forward from the start starts below all of them. */
const BEFORE_EVERYTHING = Number.MIN_SAFE_INTEGER;

/** GET /relations and GET /threads, with history visibility applied to every event returned. */
export class RelationReads {
  constructor(
    private readonly core: CoreContext,
    private readonly store: RelationsStore,
    private readonly reader: RoomStateReader,
    private readonly access: RoomAccessChecker,
    private readonly aggregations: AggregationSource,
  ) {}

  async relations(requester: Requester, roomId: string, eventId: string, request: RelationsRequest): Promise<GetRelationsResponse> {
    const access = await this.access.require(requester.userId, roomId);
    const parent = await this.reader.events.get(eventId);
    // The spec answers 404 both for an unknown parent and for one the user may not see.
    if (!parent || roomIdOf(parent) !== roomId || (await this.access.visibilityFilter.filter([parent], access.viewer)).length === 0) {
      throw errors.notFound("Event not found");
    }
    const dir = request.dir ?? "b";
    const limit = Math.min(Math.max(0, request.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    const published = this.core.streams.events.current;
    const given = request.from === undefined ? undefined : parseToken(request.from, "from");
    let from = dir === "b" ? Math.min(given ?? published, published) : (given ?? BEFORE_EVERYTHING);
    let to = request.to === undefined ? undefined : parseToken(request.to, "to");
    if (dir === "f") to = Math.min(to ?? published, published);
    ({ from, to } = clampToAccess(access, dir, from, to));
    const depth = request.recurse === true ? RECURSION_DEPTH : 1;
    const kept: StoredEvent[] = [];
    let cursor = from;
    let scanned = 0;
    let exhausted = false;
    while (kept.length < limit && scanned < MAX_SCAN) {
      const want = Math.min(limit - kept.length, MAX_SCAN - scanned);
      const rows = await this.store.children({ roomId, parentId: eventId, relType: request.relType, eventType: request.eventType, from: cursor, dir, to, limit: want, depth });
      scanned += rows.length;
      if (rows.length > 0) cursor = dir === "b" ? rows[rows.length - 1].streamPos - 1 : rows[rows.length - 1].streamPos;
      kept.push(...(await this.access.visibilityFilter.filter(rows, access.viewer)));
      if (rows.length < want) {
        exhausted = true;
        break;
      }
    }
    const response: GetRelationsResponse = { chunk: await this.format(requester, roomId, kept) };
    if (!exhausted && limit > 0) response.next_batch = formatRoomToken(cursor);
    if (request.from !== undefined) response.prev_batch = request.from;
    if (request.recurse !== undefined) response.recursion_depth = depth;
    return response;
  }

  async threads(requester: Requester, roomId: string, request: ThreadsRequest): Promise<GetThreadsResponse> {
    const access = await this.access.require(requester.userId, roomId);
    const limit = Math.min(request.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const published = this.core.streams.events.current;
    let before = request.from === undefined ? published : Math.min(parseToken(request.from, "from"), published);
    if (access.kind === "departed") before = Math.min(before, access.until);
    const participant = request.include === "participated" ? requester.userId : undefined;
    const kept: StoredEvent[] = [];
    let scanned = 0;
    let exhausted = false;
    while (kept.length < limit && scanned < MAX_SCAN) {
      const want = Math.min(limit - kept.length, MAX_SCAN - scanned);
      const roots = await this.store.threadRoots(roomId, before, want, participant);
      scanned += roots.length;
      if (roots.length > 0) before = roots[roots.length - 1].latestPos - 1;
      kept.push(...(await this.access.visibilityFilter.filter(roots.map((r) => r.root), access.viewer)));
      if (roots.length < want) {
        exhausted = true;
        break;
      }
    }
    const response: GetThreadsResponse = { chunk: await this.format(requester, roomId, kept) };
    if (!exhausted) response.next_batch = formatRoomToken(before);
    return response;
  }

  private async format(requester: Requester, roomId: string, events: StoredEvent[]) {
    const version = await this.reader.roomVersion(roomId);
    if (!version) throw errors.forbidden("Unknown room");
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    return formatEvents(this.reader.events, events, version, this.core.clock.now(), viewer, undefined, this.aggregations);
  }
}

/** Nothing after a departed user's leave, as /messages. */
function clampToAccess(access: RoomAccess, dir: "b" | "f", from: number, to: number | undefined): { from: number; to: number | undefined } {
  if (access.kind !== "departed") return { from, to };
  if (dir === "b") return { from: Math.min(from, access.until), to };
  return { from, to: Math.min(to ?? access.until, access.until) };
}

function parseToken(token: string, name: string): number {
  const position = parseRoomToken(token);
  if (position === undefined) throw errors.invalidParam(`Invalid ${name} token`);
  return position;
}

function roomIdOf(event: StoredEvent): string {
  return event.pdu.room_id ?? `!${event.pdu.event_id.slice(1)}`;
}
