import type { Clock } from "../core/clock.js";

/** Which devices are being sent their events by sync right now (the pusher loop skips those). */
export interface LiveDevices {
  /** A sync of the device is running (a long-poll waiting, a sync WebSocket's build) or ended within `graceMs`. */
  isLive(userId: string, deviceId: string, graceMs: number): boolean;
}

/** Past this many remembered devices, those whose last sync is long over are dropped. */
const PRUNE_AT = 10_000;
/** Longer than any grace a config may reasonably give: a device not seen for this long is forgotten. */
const FORGET_AFTER_MS = 5 * 60_000;

/**
 * Fed by SyncService.sync, which both transports go through: a long-poll is one call, and a sync WebSocket runs
 * one call after another for as long as it is open (each waits up to sync.max_timeout_ms for news), so "a call
 * is running, or one ended a moment ago" is "the socket is open, or the device long-polled just now".
 */
export class SyncingDevices implements LiveDevices {
  private readonly running = new Map<string, number>();
  private readonly lastEnded = new Map<string, number>();

  constructor(private readonly clock: Pick<Clock, "now">) {}

  /** Call when a sync starts; call the returned function when it ends. */
  begin(userId: string, deviceId: string): () => void {
    const key = keyOf(userId, deviceId);
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left > 0) this.running.set(key, left);
      else this.running.delete(key);
      this.lastEnded.delete(key);
      this.lastEnded.set(key, this.clock.now());
      if (this.lastEnded.size > PRUNE_AT) this.prune();
    };
  }

  isLive(userId: string, deviceId: string, graceMs: number): boolean {
    const key = keyOf(userId, deviceId);
    if (this.running.has(key)) return true;
    const ended = this.lastEnded.get(key);
    return ended !== undefined && this.clock.now() - ended <= graceMs;
  }

  /** Oldest first (a Map keeps insertion order and an end re-inserts its key). */
  private prune(): void {
    const before = this.clock.now() - FORGET_AFTER_MS;
    for (const [key, ended] of this.lastEnded) {
      if (ended >= before) break;
      this.lastEnded.delete(key);
    }
  }
}

const keyOf = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;
