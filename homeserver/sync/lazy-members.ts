import { LruCache } from "../core/lru-cache.js";

const DEVICES = 10_000;
const ROOMS_PER_DEVICE = 500;

/**
 * Which membership events each device has already been sent, per room, so that lazy-loading syncs do not
 * send a sender's membership again every time they speak (the spec's include_redundant_members=false).
 * Forgetting is harmless: the event is merely sent again. An initial or full-state sync starts afresh.
 */
export class LazyMembersCache {
  private readonly devices = new LruCache<string, LruCache<string, Map<string, string>>>(DEVICES);

  reset(userId: string, deviceId: string): void {
    this.devices.delete(deviceKey(userId, deviceId));
  }

  wasSent(userId: string, deviceId: string, roomId: string, memberId: string, eventId: string): boolean {
    return this.devices.get(deviceKey(userId, deviceId))?.get(roomId)?.get(memberId) === eventId;
  }

  markSent(userId: string, deviceId: string, roomId: string, memberId: string, eventId: string): void {
    const key = deviceKey(userId, deviceId);
    let rooms = this.devices.get(key);
    if (!rooms) this.devices.set(key, (rooms = new LruCache(ROOMS_PER_DEVICE)));
    let members = rooms.get(roomId);
    if (!members) rooms.set(roomId, (members = new Map()));
    members.set(memberId, eventId);
  }
}

function deviceKey(userId: string, deviceId: string): string {
  return `${userId}\u0000${deviceId}`;
}
