import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import { LruCache } from "../core/lru-cache.js";
import type { Audience, Notifier } from "../streams/notifier.js";

/** All of a room's events with from < stream_pos <= to, oldest first. */
interface Window {
  from: number;
  to: number;
  events: StoredEvent[];
}

const EVENTS_PER_ROOM = 200;
const ROOMS = 2_000;
/** Rooms whose last write position is remembered; older ones share one bound (`forgottenWritesUpTo`). */
const WRITTEN_ROOMS = 20_000;

/** Where the cache learns of every committed write to a room's timeline, and the position it starts from. */
export interface WriteFeed {
  notifier: Pick<Notifier, "subscribe">;
  /** The events stream's published position when the cache starts following. */
  published: number;
}

/**
 * The recent events of busy rooms, so that a message into a room with 500 waiting syncers is read from the
 * database once, not 500 times. The cache is only ever filled by reading the database up to a position the
 * caller got from the publisher, so it holds exactly what a database read would return; redactions are
 * the one later change to a stored event, and targets still in the window are re-read when one arrives.
 */
export class RoomTimelineCache {
  private readonly windows = new LruCache<string, Window>(ROOMS);
  /** One fill at a time per room, so concurrent wake-ups share a single read. */
  private readonly fills = new Map<string, Promise<unknown>>();
  /**
   * The position of each room's latest published write. A window that reaches it holds everything the room
   * has up to the published position, so extending it needs no read: a message costs no query at all when
   * its writer hands over the events (Audience.events), and one when it does not.
   */
  private readonly lastWrites = new LruCache<string, number>(WRITTEN_ROOMS, (_room, position) => {
    this.forgottenWritesUpTo = Math.max(this.forgottenWritesUpTo, position);
  });
  /** Without a feed nothing is known about writes, and every extension reads the database. */
  private forgottenWritesUpTo: number;

  constructor(
    private readonly events: EventsStore,
    feed?: WriteFeed,
  ) {
    this.forgottenWritesUpTo = feed ? feed.published : Infinity;
    feed?.notifier.subscribe((stream, position, audience) => {
      if (stream === "events") for (const roomId of audience.rooms ?? []) this.written(roomId, position, audience);
    });
  }

  /**
   * The newest `limit` events with from < stream_pos <= to (oldest first), and whether older ones in the
   * range were left out. `to` must be a published position.
   */
  async between(roomId: string, from: number, to: number, limit: number): Promise<{ events: StoredEvent[]; limited: boolean }> {
    if (from >= to) return { events: [], limited: false };
    const window = await this.windowUpTo(roomId, to);
    if (window && window.to >= to) {
      const inRange = window.events.filter((e) => e.streamPos > from && e.streamPos <= to);
      // Answerable when the window reaches back to `from`, or already holds more than `limit` in range.
      if (window.from <= from || inRange.length > limit) {
        return { events: inRange.slice(Math.max(0, inRange.length - limit)), limited: inRange.length > limit };
      }
    }
    return this.events.roomEventsBetween(roomId, from, to, limit);
  }

  private windowUpTo(roomId: string, to: number): Promise<Window | undefined> {
    const previous = this.fills.get(roomId) ?? Promise.resolve();
    const next = previous.then(() => this.extend(roomId, to));
    const settled = next.catch(() => undefined);
    this.fills.set(roomId, settled);
    void settled.then(() => {
      if (this.fills.get(roomId) === settled) this.fills.delete(roomId);
    });
    return next;
  }

  /**
   * Called synchronously when a write becomes visible, before any woken reader runs. Every write to a
   * room's timeline (positive positions) is notified with the room, so "no write after window.to" is exact.
   */
  private written(roomId: string, position: number, audience: Audience): void {
    const previous = this.lastWriteOf(roomId);
    this.lastWrites.set(roomId, Math.max(previous, position));
    const window = this.windows.get(roomId);
    // A fill in progress started from an older window; it merges what is appended here when it ends.
    if (!audience.events || !window || previous > window.to) return;
    const added = audience.events.filter((e) => e.streamPos > window.to);
    // Redacting marks an earlier event too; the read path re-reads those targets.
    if (added.some((e) => e.pdu.type === "m.room.redaction")) return;
    this.windows.set(roomId, trimmed({ from: window.from, to: position, events: [...window.events, ...added] }));
  }

  private lastWriteOf(roomId: string): number {
    return this.lastWrites.get(roomId) ?? this.forgottenWritesUpTo;
  }

  private async extend(roomId: string, to: number): Promise<Window | undefined> {
    const window = this.windows.get(roomId);
    if (window && window.to >= to) return window;
    if (window && this.lastWriteOf(roomId) <= window.to) {
      // Nothing was written to the room after window.to, and `to` is published: the window already is complete.
      const reaching = { ...window, to };
      this.windows.set(roomId, reaching);
      return reaching;
    }
    const from = window?.to ?? 0;
    const fresh = await this.events.roomEventsBetween(roomId, from, to, EVENTS_PER_ROOM);
    let updated: Window;
    if (!window || fresh.limited) {
      // Start over from the newest events; everything from just below the oldest one is covered.
      const first = fresh.events[0];
      updated = { from: fresh.limited && first ? first.streamPos - 1 : from, to, events: fresh.events };
    } else {
      updated = { from: window.from, to, events: [...window.events, ...fresh.events] };
      await this.refreshRedacted(updated, fresh.events);
    }
    // Writes handed over while we read were appended to the window we started from; they follow `to`.
    const latest = this.windows.get(roomId);
    if (latest && latest !== window && latest.to > updated.to && latest.from <= updated.to) {
      const after = updated.to;
      updated = { from: updated.from, to: latest.to, events: [...updated.events, ...latest.events.filter((e) => e.streamPos > after)] };
    }
    const kept = trimmed(updated);
    this.windows.set(roomId, kept);
    return kept;
  }

  /** A redaction marks its target in the same transaction, so re-reading the targets gives their new form. */
  private async refreshRedacted(window: Window, added: StoredEvent[]): Promise<void> {
    const targets = new Set<string>();
    for (const event of added) {
      if (event.pdu.type !== "m.room.redaction") continue;
      const target = typeof event.pdu.redacts === "string" ? event.pdu.redacts : event.pdu.content.redacts;
      if (typeof target === "string") targets.add(target);
    }
    const cached = window.events.filter((e) => targets.has(e.pdu.event_id));
    if (cached.length === 0) return;
    const reread = await this.events.getMany(cached.map((e) => e.pdu.event_id));
    window.events = window.events.map((e) => reread.get(e.pdu.event_id) ?? e);
  }
}

/** Keeps the newest EVENTS_PER_ROOM events; `from` moves up to the newest one dropped. */
function trimmed(window: Window): Window {
  if (window.events.length <= EVENTS_PER_ROOM) return window;
  const dropped = window.events.length - EVENTS_PER_ROOM;
  return { from: window.events[dropped - 1].streamPos, to: window.to, events: window.events.slice(dropped) };
}
