import { LruCache } from "../../core/lru-cache.js";
import type { ToDeviceService } from "../../users/to-device/to-device-service.js";
import type { StreamIndex } from "../stream-index.js";
import { NOTHING, type StreamContribution, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/** Devices whose acknowledged position is remembered; a forgotten one costs one more read, nothing else. */
const ACKNOWLEDGED_DEVICES = 100_000;

/**
 * The to-device stream: the syncing device's queued messages in the window, oldest first, at most 100 a response
 * (the spec's recommendation; Synapse's limit). A sync with `since` acknowledges what the device received up to
 * it, so those messages are deleted. When the limit leaves messages behind, next_batch stops at the last one sent,
 * so the next sync picks up after it instead of skipping (and deleting) the rest.
 *
 * Per user: it is the device's own queue. news() reads nothing: the stream index knows whose queue grew, and this
 * provider remembers up to where each device's queue is known to be deleted, so a sync of anyone with nothing new
 * and nothing to acknowledge skips the read (and a shared response stays shareable).
 */
export class ToDeviceProvider implements SyncStreamProvider {
  readonly stream = "toDevice";
  readonly perUser = true;
  /** user \0 device -> a position up to which the device's queue holds nothing (deleted or never there). */
  private readonly clearedUpTo = new LruCache<string, number>(ACKNOWLEDGED_DEVICES);

  constructor(
    private readonly index: Pick<StreamIndex, "toDeviceMayHaveArrived">,
    private readonly toDevice: Pick<ToDeviceService, "deliver">,
  ) {}

  news({ scope, since, to }: SyncWindow): WindowNews {
    if (!since) return "user";
    const from = since.toDevice;
    // Something new for the user, perhaps for this device.
    if (from < to.toDevice && this.index.toDeviceMayHaveArrived(scope.userId, from)) return "user";
    // Something the device may have received before `since` and now acknowledges: it must be deleted.
    const cleared = this.clearedUpTo.get(keyOf(scope.userId, scope.deviceId));
    if (cleared === undefined) return from > 0 ? "user" : "none";
    return cleared < from && this.index.toDeviceMayHaveArrived(scope.userId, cleared) ? "user" : "none";
  }

  async collect({ scope, since, to }: SyncRequest): Promise<StreamContribution> {
    // Deleted up to what the client confirmed: `since`, or the WebSocket's last acknowledged token behind it.
    const acknowledged = since && scope.acknowledged ? Math.min(scope.acknowledged.toDevice, since.toDevice) : since?.toDevice;
    const inbox = await this.toDevice.deliver(scope.userId, scope.deviceId, since?.toDevice, to.toDevice, acknowledged);
    // Everything up to the acknowledged position is deleted now; with nothing pending and everything acknowledged,
    // nothing is left up to `to` either.
    if (inbox.events.length === 0 && acknowledged === since?.toDevice) {
      this.cleared(scope.userId, scope.deviceId, to.toDevice);
      return NOTHING;
    }
    if (acknowledged !== undefined) this.cleared(scope.userId, scope.deviceId, acknowledged);
    if (inbox.events.length === 0) return NOTHING;
    return {
      top: { to_device: { events: inbox.events } },
      positions: inbox.heldAt === undefined ? undefined : { toDevice: inbox.heldAt },
    };
  }

  private cleared(userId: string, deviceId: string, upTo: number): void {
    const key = keyOf(userId, deviceId);
    if ((this.clearedUpTo.get(key) ?? -1) < upTo) this.clearedUpTo.set(key, upTo);
  }
}

const keyOf = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;
