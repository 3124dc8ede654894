import type { StreamName } from "./sync-token.js";
import type { StoredEvent } from "../storage/stores/events-store.js";

export interface Audience {
  rooms?: Iterable<string>;
  users?: Iterable<string>;
  /**
   * On the events stream, when the change is one room's new events and the writer has them at hand: they
   * are exactly what a read of the room up to the new position would add, so caches can append them
   * instead of reading them back. Waiters still re-read through those caches.
   */
  events?: readonly StoredEvent[];
}

export interface PreparedWait {
  /** Resolves on the first relevant notification after `prepareWait`, or when the timeout passes. */
  readonly promise: Promise<"notified" | "timeout" | "cancelled">;
  cancel(): void;
}

interface Waiter {
  userId: string;
  rooms: ReadonlySet<string>;
  /** Rooms whose members' presence changes wake it (every joined room: presence is not narrowed by room filters). */
  presenceRooms: ReadonlySet<string>;
  /** Streams whose changes this waiter's filter leaves out entirely: they do not wake it. */
  ignoring?: ReadonlySet<StreamName>;
  resolve: (outcome: "notified" | "timeout" | "cancelled") => void;
}

/**
 * The one place that wakes sync waiters. It carries positions only: a woken waiter re-reads the streams
 * rather than trusting data pushed with the wake-up, so long-poll and WebSocket share one sync builder.
 * Waiters are indexed by user and room so a message wakes the room's members without scanning everyone.
 */
export class Notifier {
  private readonly byUser = new Map<string, Set<Waiter>>();
  private readonly byRoom = new Map<string, Set<Waiter>>();
  /**
   * The waiters of byRoom that follow presence. A presence change is announced to every room of its user, and
   * the presence sweep announces thousands at once: without this, each of them visited every waiter of a big
   * room, bots and other clients whose filters leave presence out included.
   */
  private readonly byRoomForPresence = new Map<string, Set<Waiter>>();
  private readonly listeners: Array<(stream: StreamName, position: number, audience: Audience) => void> = [];

  /**
   * Register before reading the streams so that a commit between the read and the wait is not lost. `rooms`
   * are those whose events, receipts and typing wake it; presence changes wake it for `presenceRooms`.
   */
  prepareWait(userId: string, rooms: Iterable<string>, timeoutMs: number, ignoring?: ReadonlySet<StreamName>, presenceRooms: Iterable<string> = rooms): PreparedWait {
    let timer: NodeJS.Timeout | undefined;
    let waiter!: Waiter;
    const roomSet = new Set(rooms);
    const promise = new Promise<"notified" | "timeout" | "cancelled">((resolve) => {
      waiter = {
        userId,
        rooms: roomSet,
        // Usually the same rooms: one set for both keeps an idle connection as small as before.
        presenceRooms: ignoring?.has("presence") ? NO_ROOMS : presenceRooms === rooms ? roomSet : new Set(presenceRooms),
        ignoring,
        resolve: (outcome) => {
          clearTimeout(timer);
          this.remove(waiter);
          resolve(outcome);
        },
      };
    });
    this.add(waiter);
    timer = setTimeout(() => waiter.resolve("timeout"), Math.max(0, timeoutMs));
    return { promise, cancel: () => waiter.resolve("cancelled") };
  }

  /** Called after commit with the new published position of `stream` and who may care. */
  onNew(stream: StreamName, position: number, audience: Audience): void {
    const woken = new Set<Waiter>();
    const rooms = stream === "presence" ? this.byRoomForPresence : this.byRoom;
    for (const room of audience.rooms ?? []) for (const w of rooms.get(room) ?? []) woken.add(w);
    for (const user of audience.users ?? []) for (const w of this.byUser.get(user) ?? []) woken.add(w);
    for (const waiter of woken) if (!waiter.ignoring?.has(stream)) waiter.resolve("notified");
    for (const listener of this.listeners) listener(stream, position, audience);
  }

  /** For components that follow every stream change (federation sender, pusher, WebSocket sessions). */
  subscribe(listener: (stream: StreamName, position: number, audience: Audience) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  get waiterCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  private add(waiter: Waiter): void {
    addTo(this.byUser, waiter.userId, waiter);
    for (const room of waiter.rooms) addTo(this.byRoom, room, waiter);
    for (const room of waiter.presenceRooms) addTo(this.byRoomForPresence, room, waiter);
  }

  private remove(waiter: Waiter): void {
    removeFrom(this.byUser, waiter.userId, waiter);
    for (const room of waiter.rooms) removeFrom(this.byRoom, room, waiter);
    for (const room of waiter.presenceRooms) removeFrom(this.byRoomForPresence, room, waiter);
  }
}

const NO_ROOMS: ReadonlySet<string> = new Set();

function addTo(index: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(waiter);
}

function removeFrom(index: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(waiter);
  if (set.size === 0) index.delete(key);
}
