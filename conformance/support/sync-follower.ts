import { Method, type IRequestOpts, type MatrixClient } from "matrix-js-sdk";
import { paginateBackwards } from "./room-history.js";
import type { ClientEvent, SyncResponse } from "./sync-types.js";

export interface SyncFollowerOptions {
  /** Timeline limit put in the inline filter of every /sync. */
  timelineLimit?: number;
}

/**
 * Drives /sync by hand with `since` tokens (no SDK sync loop) and keeps, per joined room, the timeline in the
 * order this client received it. When the server returns a `limited` timeline, the gap is filled by paginating
 * /messages back from `prev_batch` to the last event already held, as a client must.
 * Every event ID that arrives a second time is recorded in `duplicates`.
 */
export class SyncFollower {
  since: string | null = null;
  readonly duplicates: string[] = [];
  /** How many times a timeline came back `limited` (and the gap was paginated). */
  limitedTimelines = 0;
  private readonly timelines = new Map<string, ClientEvent[]>();
  private readonly seen = new Set<string>();

  constructor(
    readonly client: MatrixClient,
    private readonly options: SyncFollowerOptions = {},
  ) {}

  /** A follower that continues from this one's token and knowledge: what a client restored from storage has. */
  fork(options: SyncFollowerOptions = this.options, client: MatrixClient = this.client): SyncFollower {
    const copy = new SyncFollower(client, options);
    copy.since = this.since;
    for (const [roomId, events] of this.timelines) copy.timelines.set(roomId, [...events]);
    for (const id of this.seen) copy.seen.add(id);
    return copy;
  }

  timeline(roomId: string): ClientEvent[] {
    return this.timelines.get(roomId) ?? [];
  }

  hasSeen(eventId: string): boolean {
    return this.seen.has(eventId);
  }

  /** One /sync request; returns the raw response after recording its timelines and advancing `since`. */
  async sync(timeoutMs = 0): Promise<SyncResponse> {
    const filter = JSON.stringify({ room: { timeline: { limit: this.options.timelineLimit ?? 1000 } } });
    const query: Record<string, string> = { filter, timeout: String(timeoutMs) };
    if (this.since) query.since = this.since;
    const response = await this.client.http.authedRequest<SyncResponse>(Method.Get, "/sync", query, undefined, {
      localTimeoutMs: timeoutMs + 60_000,
    } as IRequestOpts);
    for (const [roomId, room] of Object.entries(response.rooms?.join ?? {})) {
      await this.recordTimeline(roomId, room.timeline);
    }
    this.since = response.next_batch;
    return response;
  }

  /** Long-polls /sync until `done()` holds; fails with `describe()` if it does not within `deadlineMs`. */
  async syncUntil(
    done: () => boolean,
    describe: () => string,
    deadlineMs = 60_000,
    onResponse: (response: SyncResponse) => void = () => {},
  ): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`sync did not reach the expected state in ${deadlineMs} ms: ${describe()}`);
      onResponse(await this.sync(Math.min(5_000, left)));
    }
  }

  /** Long-polls /sync until a response satisfies `matches`, and returns that response. */
  async syncUntilResponse(matches: (response: SyncResponse) => boolean, what: string, deadlineMs = 60_000): Promise<SyncResponse> {
    let found: SyncResponse | null = null;
    await this.syncUntil(
      () => found !== null,
      () => `no sync response showed ${what}`,
      deadlineMs,
      (response) => {
        if (matches(response)) found = response;
      },
    );
    return found!;
  }

  /** Syncs until every one of `eventIds` has arrived. */
  async syncUntilSeen(eventIds: Iterable<string>, deadlineMs = 60_000): Promise<void> {
    const wanted = [...eventIds];
    await this.syncUntil(
      () => wanted.every((id) => this.seen.has(id)),
      () => `still missing ${wanted.filter((id) => !this.seen.has(id)).join(", ")}`,
      deadlineMs,
    );
  }

  private async recordTimeline(roomId: string, timeline: { events: ClientEvent[]; limited?: boolean; prev_batch?: string } | undefined) {
    if (!timeline) return;
    const known = this.timelines.get(roomId);
    if (timeline.limited && known && known.length > 0) {
      this.limitedTimelines += 1;
      for (const event of await this.eventsInGap(roomId, timeline.prev_batch, new Set(timeline.events.map((e) => e.event_id)))) {
        this.append(roomId, event);
      }
    }
    for (const event of timeline.events) this.append(roomId, event);
  }

  /** Events between what we held and a limited timeline, oldest first, via /messages from prev_batch. */
  private async eventsInGap(roomId: string, prevBatch: string | undefined, inChunk: Set<string>): Promise<ClientEvent[]> {
    if (!prevBatch) throw new Error(`sync returned a limited timeline for ${roomId} without prev_batch`);
    const { newestFirst } = await paginateBackwards(this.client, roomId, {
      from: prevBatch,
      pageSize: 50,
      stopAt: (event) => this.seen.has(event.event_id),
    });
    const firstKnown = newestFirst.findIndex((event) => this.seen.has(event.event_id));
    if (firstKnown === -1) {
      throw new Error(`paginating back from prev_batch of a limited timeline in ${roomId} never reached an event this client had`);
    }
    const gap = newestFirst.slice(0, firstKnown).reverse();
    // An event both in the gap and in the new chunk means prev_batch pointed after the chunk's start.
    for (const event of gap) if (inChunk.has(event.event_id)) this.duplicates.push(event.event_id);
    return gap.filter((event) => !inChunk.has(event.event_id));
  }

  private append(roomId: string, event: ClientEvent): void {
    if (this.seen.has(event.event_id)) {
      this.duplicates.push(event.event_id);
      return;
    }
    this.seen.add(event.event_id);
    const list = this.timelines.get(roomId) ?? [];
    list.push(event);
    this.timelines.set(roomId, list);
  }
}
