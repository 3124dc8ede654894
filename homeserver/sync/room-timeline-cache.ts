import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import { LruCache } from "../rooms/lru-cache.js";

/** All of a room's events with from < stream_pos <= to, oldest first. */
interface Window {
  from: number;
  to: number;
  events: StoredEvent[];
}

const EVENTS_PER_ROOM = 200;
const ROOMS = 2_000;

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

  constructor(private readonly events: EventsStore) {}

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

  private async extend(roomId: string, to: number): Promise<Window | undefined> {
    const window = this.windows.get(roomId);
    if (window && window.to >= to) return window;
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
    if (updated.events.length > EVENTS_PER_ROOM) {
      const dropped = updated.events.length - EVENTS_PER_ROOM;
      updated.from = updated.events[dropped - 1].streamPos;
      updated.events = updated.events.slice(dropped);
    }
    this.windows.set(roomId, updated);
    return updated;
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
