import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import type { ClientEvent } from "../../rooms/client-event.js";
import { formatEvents } from "../../rooms/read-formatting.js";
import type { RoomReads } from "../../rooms/room-reads.js";
import { roomIdOf } from "../../rooms/timeline-reads.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { formatRoomToken, parseRoomToken, STREAMS, type StreamName } from "../../streams/sync-token.js";
import type { Requester } from "../../users/requester.js";
import type { GetEventsResponse } from "../../../schemas/client/legacy/get-events.js";

/** At most this many events per response; the rest come with the next request, from its `end`. */
export const MAX_CHUNK = 100;
/** As Synapse, when the client names no timeout. */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Only new room events end the wait: this stream carries nothing else. */
const OTHER_STREAMS: ReadonlySet<StreamName> = new Set(STREAMS.filter((s) => s !== "events"));

export interface EventStreamRequest {
  from?: string;
  timeoutMs?: number;
  /** The spec's peeking form: one room (a member's, or a world-readable one), instead of all joined rooms. */
  roomId?: string;
  /** Ends the wait early (the client went away, the server is closing): the answer is then empty. */
  signal?: AbortSignal;
}

interface Collected {
  roomId: string;
  events: StoredEvent[];
  memberships: Map<string, string>;
}

/**
 * The deprecated GET /events and GET /events/{eventId}, on the read side sync and /messages use: the same
 * timeline rows, the same history visibility, the same event formatting. Tokens are room-stream positions,
 * so /initialSync's `end` (and a /sync next_batch) can be given as `from`.
 */
export class LegacyEventStream {
  constructor(
    private readonly core: Pick<CoreContext, "streams" | "notifier" | "clock" | "config">,
    private readonly reads: Pick<RoomReads, "reader" | "access" | "timelineStore" | "state">,
  ) {}

  async events(requester: Requester, request: EventStreamRequest): Promise<GetEventsResponse> {
    const published = this.core.streams.events.current;
    const given = request.from === undefined ? published : parseRoomToken(request.from);
    if (given === undefined) throw errors.invalidParam("Invalid from token");
    const from = Math.min(given, published);
    let rooms: string[];
    if (request.roomId !== undefined) {
      await this.reads.access.require(requester.userId, request.roomId);
      rooms = [request.roomId];
    } else {
      rooms = await this.reads.state.joinedRooms(requester);
    }
    const timeoutMs = Math.min(request.timeoutMs ?? DEFAULT_TIMEOUT_MS, this.core.config.sync.max_timeout_ms);
    // Registered before the read, so an event committed between the read and the wait still wakes it.
    const wait = timeoutMs > 0 && !request.signal?.aborted ? this.core.notifier.prepareWait(requester.userId, rooms, timeoutMs, OTHER_STREAMS, []) : undefined;
    const onAbort = () => wait?.cancel();
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let result = await this.read(requester, rooms, from);
      if (result.chunk.length === 0 && wait) {
        await wait.promise;
        result = await this.read(requester, rooms, from);
      }
      return { start: formatRoomToken(from), end: formatRoomToken(result.end), chunk: result.chunk };
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
      wait?.cancel();
    }
  }

  /** One event by id, wherever it is: 404 when unknown or not visible to the user, as /rooms/{roomId}/event does. */
  async event(requester: Requester, eventId: string): Promise<ClientEvent> {
    const stored = await this.reads.reader.events.get(eventId);
    if (!stored) throw errors.notFound("Event not found");
    return this.reads.state.event(requester, roomIdOf(stored), eventId);
  }

  /** The visible events of `rooms` after `from`, oldest first, and the position the next request continues from. */
  private async read(requester: Requester, rooms: string[], from: number): Promise<{ chunk: ClientEvent[]; end: number }> {
    const to = this.core.streams.events.current;
    if (from >= to) return { chunk: [], end: from };
    const active = await this.reads.reader.events.roomsWithEventsBetween(rooms, from, to);
    // A room whose page was cut may have more before other rooms' later events: nothing past its cut is sent.
    let horizon = to;
    const collected: Collected[] = [];
    for (const roomId of active) {
      const access = await this.reads.access.resolve(requester.userId, roomId);
      if (!access) continue;
      const until = access.kind === "departed" ? Math.min(access.until, to) : to;
      const rows = await this.reads.timelineStore.page(roomId, { from, dir: "f", to: until, limit: MAX_CHUNK });
      if (rows.length === MAX_CHUNK) horizon = Math.min(horizon, rows[rows.length - 1].streamPos);
      const memberships = new Map<string, string>();
      const events = await this.reads.access.visibilityFilter.filter(rows, access.viewer, memberships);
      collected.push({ roomId, events, memberships });
    }
    let all = collected.flatMap((c) => c.events.map((event) => ({ event, source: c }))).filter((e) => e.event.streamPos <= horizon);
    all.sort((a, b) => a.event.streamPos - b.event.streamPos);
    if (all.length > MAX_CHUNK) {
      all = all.slice(0, MAX_CHUNK);
      horizon = all[all.length - 1].event.streamPos;
    }
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    const now = this.core.clock.now();
    const formatted = new Map<string, ClientEvent>();
    for (const source of collected) {
      const kept = all.filter((e) => e.source === source).map((e) => e.event);
      if (kept.length === 0) continue;
      const version = await this.reads.reader.roomVersion(source.roomId);
      if (!version) continue;
      const events = await formatEvents(this.reads.reader.events, kept, version, now, viewer, source.memberships);
      for (const event of events) formatted.set(event.event_id, event);
    }
    const chunk = all.map((e) => formatted.get(e.event.pdu.event_id)).filter((e): e is ClientEvent => e !== undefined);
    return { chunk, end: horizon };
  }
}
