import { randomUUID } from "node:crypto";
import type { PushersStore } from "../../storage/stores/pushers-store.js";
import { batchedPushersStore } from "./batched-pushers-store.js";
import { PusherWorker, type PusherWorkerDeps, type Slots } from "./pusher-worker.js";
import type { PusherChanges } from "./pusher-service.js";

/** Pushers sending at once; the others wait for a slot (a message into a big room wakes every member's). */
const CONCURRENT_SENDS = 64;

export type PusherLoopDeps = Omit<PusherWorkerDeps, "owner" | "slots" | "store"> & {
  store: Parameters<typeof batchedPushersStore>[0] & Pick<PushersStore, "allIds" | "ofRoomMembers" | "forUser" | "releaseAll">;
};

/**
 * Every pusher's worker, woken by what may give it something to send: new events in a room of its user's
 * (the notifier's events stream), a pusher set, a read receipt (badge), and at start for every stored pusher,
 * which resumes from its cursor. The cursors live in the database; this only holds who is running.
 */
export class PusherLoop implements PusherChanges {
  private readonly workers = new Map<number, PusherWorker>();
  private readonly byUser = new Map<string, Set<PusherWorker>>();
  /**
   * Users known to have pushers (a superset: a pusher deleted with its device stays until a wake finds it
   * gone). While it is empty, a new event costs nothing; otherwise one indexed query per room and tick.
   */
  private readonly users = new Set<string>();
  private readonly roomsToWake = new Set<string>();
  private flushScheduled = false;
  private stopped = false;
  private readonly workerDeps: PusherWorkerDeps;

  constructor(private readonly deps: PusherLoopDeps) {
    this.workerDeps = { ...deps, store: batchedPushersStore(deps.store), owner: randomUUID(), slots: semaphore(CONCURRENT_SENDS) };
  }

  /** Resumes every stored pusher from its cursor (what was queued before a restart is sent now). */
  async start(): Promise<void> {
    for (const { id, userId } of await this.deps.store.allIds()) {
      this.users.add(userId);
      this.worker(id, userId)?.wake();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    const hadWorkers = this.workers.size > 0;
    this.workers.clear();
    this.byUser.clear();
    if (hadWorkers) await this.deps.store.releaseAll(this.workerDeps.owner).catch(() => {});
  }

  /** New events committed in the room: its joined and invited members' pushers look for notifications. */
  roomChanged(roomId: string): void {
    if (this.stopped || this.users.size === 0) return;
    this.roomsToWake.add(roomId);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One query per room for a burst of commits (a batch of events, several rooms at once).
    setImmediate(() => void this.flushRooms());
  }

  pusherSet(userId: string): void {
    this.users.add(userId);
    this.forUser(userId, (w) => w.wake());
  }

  /** A local read receipt: the user's pushers send the new badge (after what they have queued). */
  localRead(userId: string): void {
    if (this.stopped || !this.users.has(userId)) return;
    // At once for the workers there are (one may be about to send what was just read), then for all.
    for (const worker of this.byUser.get(userId) ?? []) worker.readMoved();
    this.forUser(userId, (w) => w.badgeChanged());
  }

  private async flushRooms(): Promise<void> {
    this.flushScheduled = false;
    const rooms = [...this.roomsToWake];
    this.roomsToWake.clear();
    for (const roomId of rooms) {
      try {
        for (const { id, userId } of await this.deps.store.ofRoomMembers(roomId)) this.worker(id, userId)?.wake();
      } catch (error) {
        if (!this.stopped) this.deps.logger.error({ err: error, roomId }, "waking pushers after new events failed");
      }
    }
  }

  private forUser(userId: string, act: (worker: PusherWorker) => void): void {
    if (this.stopped) return;
    this.deps.store.forUser(userId).then(
      (rows) => {
        for (const row of rows) {
          const worker = this.worker(row.id, row.userId);
          if (worker) act(worker);
        }
      },
      (error) => {
        if (!this.stopped) this.deps.logger.error({ err: error, userId }, "reading a user's pushers failed");
      },
    );
  }

  /**
   * The pusher's worker; none once the loop has stopped. Callers get here after a lookup, which may answer
   * after stop(): a worker made then would be one stop() never saw, sending on its own beside the next
   * process's (a restart's duplicate notifications).
   */
  private worker(id: number, userId: string): PusherWorker | undefined {
    if (this.stopped) return undefined;
    let worker = this.workers.get(id);
    if (!worker) {
      const created = new PusherWorker(id, this.workerDeps, () => this.forget(created, userId));
      worker = created;
      this.workers.set(id, worker);
      let ofUser = this.byUser.get(userId);
      if (!ofUser) this.byUser.set(userId, (ofUser = new Set()));
      ofUser.add(worker);
    }
    return worker;
  }

  private forget(worker: PusherWorker, userId: string): void {
    if (this.workers.get(worker.id) === worker) this.workers.delete(worker.id);
    const ofUser = this.byUser.get(userId);
    ofUser?.delete(worker);
    if (ofUser?.size === 0) this.byUser.delete(userId);
  }
}

function semaphore(limit: number): Slots {
  let free = limit;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire: () => {
      if (free > 0) {
        free--;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => waiting.push(() => resolve(once(release))));
    },
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
