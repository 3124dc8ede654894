import type { CoreContext } from "../../core/core-context.js";
import { canonicalJson } from "../../crypto/canonical-json.js";
import type { Tx } from "../../storage/database.js";
import type { CachedRemoteDevice, RemoteDeviceListsStore } from "../../storage/stores/remote-device-lists-store.js";
import type { Audience } from "../../streams/notifier.js";
import type { DeviceInformation } from "../../../schemas/client/e2e-keys/device-keys.js";
import type { DeviceKeysByUser } from "../e2e-keys/e2e-keys-service.js";
import { setOwn } from "../e2e-keys/own-entries.js";
import { checkRemoteDevice } from "../e2e-keys/remote-user-keys.js";
import { parseUserId } from "../user-ids.js";

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** One device of an m.device_list_update EDU that follows the list we hold. */
export interface RemoteDeviceUpdate {
  deviceId: string;
  deleted: boolean;
  /** The EDU's `keys`, unchecked. */
  keys?: unknown;
  displayName?: string;
}

/**
 * A device as the cache keeps it, from a resync's entry or an update: keys are kept only when they are the spec's
 * DeviceKeys of this very device (what we serve our clients must be well formed whatever the peer sent); a device
 * without (valid) keys is kept without, and /keys/query leaves it out, as it does local devices without keys.
 */
function cachedDevice(userId: string, deviceId: string, keys: unknown, displayName: unknown): CachedRemoteDevice {
  const checked = keys === undefined ? undefined : checkRemoteDevice(keys, userId, deviceId);
  let keyJson: string | null = null;
  if (checked) {
    const { unsigned: _unsigned, ...signed } = checked;
    keyJson = canonicalJson(signed);
  }
  return { deviceId, keyJson, displayName: typeof displayName === "string" ? displayName : null };
}

/** Whether an events-stream change may have ended some sharing of rooms: a leave or ban, or events not at hand. */
function mayEndSharing(audience: Audience): boolean {
  if (!audience.events) return true;
  return audience.events.some((event) => {
    const pdu = event.pdu as { type?: unknown; content?: { membership?: unknown } };
    return pdu.type === "m.room.member" && (pdu.content?.membership === "leave" || pdu.content?.membership === "ban");
  });
}

/**
 * The device lists of remote users who share a room with ours, kept here as Synapse keeps them: filled by a resync
 * (GET /user/devices) and kept current by the m.device_list_update EDUs that follow it (homeserver/edus/
 * device-messages/ drives both), so that /keys/query for them is answered without asking their server, even while
 * it is down. A user is cached only once a resync gave their whole list; a gap in their updates forgets them until
 * the next resync (queries then go to their server). Once no user of ours shares a room with them, nobody here
 * would be told of their changes: they are forgotten, checked after each leave or ban.
 */
/** A user whose list we tried to start caching is not tried again for this long (their server may be down). */
const CACHING_RETRY_MS = 10 * 60_000;
/** Users remembered for that; the oldest are forgotten first. */
const CACHING_TRIES_KEPT = 10_000;

export class RemoteDeviceLists {
  /** The events position up to which leaves were looked at; undefined until the first sweep of this process. */
  private sweptUpTo: number | undefined;
  private startCaching: ((origin: string, userId: string) => void) | undefined;
  private readonly cachingTriedAt = new Map<string, number>();
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "clock" | "logger" | "notifier" | "streams">,
    private readonly store: RemoteDeviceListsStore,
  ) {
    core.notifier.subscribe((stream, _position, audience) => {
      if (stream === "events" && mayEndSharing(audience)) void this.sweep();
    });
  }

  /**
   * The devices of those asked-for users whose list is cached, as /keys/query answers them (all of a user's
   * devices when no device ids are asked for). Users not cached are absent: their server is to be asked.
   */
  async query(asked: Record<string, readonly string[]>): Promise<DeviceKeysByUser> {
    const result: DeviceKeysByUser = {};
    const cached = await this.store.cachedDevices(Object.keys(asked));
    for (const [userId, devices] of cached) {
      const wanted = asked[userId].length > 0 ? new Set(asked[userId]) : undefined;
      const answer: Record<string, DeviceInformation> = {};
      for (const device of devices) {
        if (device.keyJson === null || (wanted && !wanted.has(device.deviceId))) continue;
        const unsigned: DeviceInformation["unsigned"] = device.displayName === null ? {} : { device_display_name: device.displayName };
        setOwn(answer, device.deviceId, { ...(JSON.parse(device.keyJson) as DeviceInformation), unsigned });
      }
      setOwn(result, userId, answer);
    }
    return result;
  }

  /** edus/device-messages/ plugs in how a user's list is fetched (a resync queued behind their updates). */
  useCaching(start: (origin: string, userId: string) => void): void {
    this.startCaching = start;
  }

  async isCached(userId: string): Promise<boolean> {
    return (await this.store.cachedDevices([userId])).has(userId);
  }

  /**
   * /keys/query asked their servers for these users (not cached): those who share a room with ours get their list
   * fetched in the background, as Synapse does, so that later queries are answered here. Never throws.
   */
  async queriedUncached(userIds: readonly string[]): Promise<void> {
    try {
      await this.startCachingOf(userIds);
    } catch (error) {
      this.core.logger.warn({ err: error }, "could not start caching the device lists of queried users");
    }
  }

  private async startCachingOf(userIds: readonly string[]): Promise<void> {
    if (!this.startCaching || userIds.length === 0) return;
    const now = this.core.clock.now();
    const due = userIds.filter((userId) => {
      const tried = this.cachingTriedAt.get(userId);
      return tried === undefined || now - tried >= CACHING_RETRY_MS;
    });
    for (const userId of await this.store.sharingWithLocalUsers(due, this.core.serverName)) {
      this.cachingTriedAt.delete(userId);
      this.cachingTriedAt.set(userId, now);
      if (this.cachingTriedAt.size > CACHING_TRIES_KEPT) this.cachingTriedAt.delete(this.cachingTriedAt.keys().next().value!);
      const server = parseUserId(userId)?.serverName;
      if (server !== undefined) this.startCaching(server, userId);
    }
  }

  /** An update that follows the list we hold, applied in `tx` (which records it); nothing when the user is not cached. */
  async applyIn(tx: Tx, userId: string, update: RemoteDeviceUpdate): Promise<void> {
    if (!(await this.store.lockCached(tx, userId))) return;
    const now = this.core.clock.now();
    if (update.deleted) await this.store.deleteDevice(tx, userId, update.deviceId, now);
    else await this.store.putDevice(tx, userId, cachedDevice(userId, update.deviceId, update.keys, update.displayName), now);
  }

  /** A resync's answer (GET /user/devices: its `devices`, checked here) becomes the user's whole cached list. */
  async replaceIn(tx: Tx, userId: string, devices: readonly unknown[]): Promise<void> {
    const kept = new Map<string, CachedRemoteDevice>();
    for (const entry of devices) {
      if (!isObject(entry) || typeof entry.device_id !== "string" || entry.device_id === "" || kept.has(entry.device_id)) continue;
      kept.set(entry.device_id, cachedDevice(userId, entry.device_id, entry.keys, entry.device_display_name));
    }
    await this.store.replace(tx, userId, [...kept.values()], this.core.clock.now());
  }

  /** After a gap in the user's updates: what we hold may be missing changes, so their server is asked until a resync. */
  forgetIn(tx: Tx, userId: string): Promise<void> {
    return this.store.forget(tx, userId);
  }

  /**
   * Forgets the users who share no room with ours any more, if a leave or ban happened since the last sweep. One
   * sweep at a time; a request during one runs another after it (it may have started before the latest leave).
   */
  sweep(): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.sweepAgain = false;
        try {
          const upTo = this.core.streams.events.current;
          // The first sweep of a process looks at the whole cache rather than at every leave ever stored: a leave
          // may have committed just before a crash, and the cache is far smaller than the history.
          if (this.sweptUpTo === undefined || (await this.store.lastDepartureAfter(this.sweptUpTo)) !== undefined) {
            const forgotten = await this.store.forgetUnshared(this.core.serverName);
            if (forgotten.length > 0) this.core.logger.debug({ users: forgotten.length }, "stopped caching the device lists of users who share no room with ours");
          }
          this.sweptUpTo = Math.max(this.sweptUpTo ?? 0, upTo);
        } catch (error) {
          this.core.logger.warn({ err: error }, "could not forget the device lists of users who left");
        }
      } while (this.sweepAgain);
    })().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }
}
