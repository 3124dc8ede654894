import type { Clock } from "../../core/clock.js";
import { LruCache } from "../../core/lru-cache.js";

/** What every sync response tells a device about its own keys. */
export interface DeviceKeyCounts {
  /** Unclaimed one-time keys by algorithm, signed_curve25519 always present. */
  oneTimeKeyCounts: Record<string, number>;
  /** Algorithms whose fallback key has not been handed out. */
  unusedFallbackKeyTypes: string[];
}

const ENTRIES = 100_000;
/**
 * A kept answer is read again after this long. Uploads and claims in this process forget it at once; the bound is
 * for claims served by another process sharing the database, which this one does not hear of.
 */
const MAX_AGE_MS = 30_000;

/**
 * The counts of each device, kept between its syncs: every sync response carries them, so without this each
 * response of a room's fan-out cost two more queries. A read that overlapped a change is used once and not kept.
 */
export class DeviceKeyCountsCache {
  private readonly entries = new LruCache<string, { counts: DeviceKeyCounts; readAt: number }>(ENTRIES);
  private changes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly read: (userId: string, deviceId: string) => Promise<DeviceKeyCounts>,
  ) {}

  async of(userId: string, deviceId: string): Promise<DeviceKeyCounts> {
    const key = keyOf(userId, deviceId);
    const kept = this.entries.get(key);
    const now = this.clock.now();
    if (kept && now - kept.readAt < MAX_AGE_MS) return kept.counts;
    const before = this.changes;
    const counts = await this.read(userId, deviceId);
    if (this.changes === before) this.entries.set(key, { counts, readAt: now });
    return counts;
  }

  /** Call once a write that changed the device's keys (an upload, a claim) has committed. */
  forget(userId: string, deviceId: string): void {
    this.changes += 1;
    this.entries.delete(keyOf(userId, deviceId));
  }
}

const keyOf = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;
