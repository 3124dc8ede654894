import { txnKey, type TxnLookup, type TxnStore } from "../storage/stores/txn-store.js";

export { txnKey };
export type TxnRef = TxnLookup;

interface DeviceTxns {
  /** scopedId(scope, txnId) -> event id, oldest first (Map insertion order) so the oldest is evicted first. */
  known: Map<string, string>;
  /** True while `known` holds every transaction id the device has ever used. */
  complete: boolean;
}

const scopedId = (scope: string, txnId: string) => `${scope}\u0000${txnId}`;
const deviceKey = (userId: string, deviceId: string) => `${userId}\u0000${deviceId}`;

/**
 * Which client transaction ids a device has used, so that a send with a fresh txnId (nearly every send)
 * needs no database read before it is written. A device's ids are loaded once per process; after that this
 * process is the only writer, so a miss is a definite "new". A device with more ids than fit is marked
 * incomplete and its misses are checked in the database as before.
 */
export class TxnIdMemory {
  private readonly devices = new Map<string, DeviceTxns | Promise<DeviceTxns>>();

  constructor(
    private readonly store: TxnStore,
    private readonly perDevice = 2_000,
    private readonly maxDevices = 50_000,
  ) {}

  /** The event ids of the refs that were used before, keyed by txnKey. */
  async lookup(refs: readonly TxnRef[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unsure: TxnRef[] = [];
    for (const ref of refs) {
      const device = await this.device(ref.userId, ref.deviceId);
      const eventId = device.known.get(scopedId(ref.scope, ref.txnId));
      if (eventId !== undefined) found.set(txnKey(ref.userId, ref.deviceId, ref.scope, ref.txnId), eventId);
      else if (!device.complete) unsure.push(ref);
    }
    if (unsure.length > 0) for (const [key, eventId] of await this.store.findMany(unsure)) found.set(key, eventId);
    return found;
  }

  /** Called once the event carrying the txnId has committed. */
  remember(ref: TxnRef, eventId: string): void {
    const device = this.devices.get(deviceKey(ref.userId, ref.deviceId));
    // Not loaded: a later load reads the committed row. Loading: its query may have run before the commit.
    if (!device) return;
    if (device instanceof Promise) {
      void device.then((loaded) => this.add(loaded, scopedId(ref.scope, ref.txnId), eventId), () => undefined);
      return;
    }
    this.add(device, scopedId(ref.scope, ref.txnId), eventId);
  }

  private add(device: DeviceTxns, id: string, eventId: string): void {
    device.known.set(id, eventId);
    if (device.known.size > this.perDevice) {
      device.known.delete(device.known.keys().next().value!);
      device.complete = false;
    }
  }

  private async device(userId: string, deviceId: string): Promise<DeviceTxns> {
    const key = deviceKey(userId, deviceId);
    const existing = this.devices.get(key);
    if (existing) return existing;
    const loading = this.load(userId, deviceId);
    this.devices.set(key, loading);
    try {
      const loaded = await loading;
      if (this.devices.size > this.maxDevices) this.devices.delete(this.devices.keys().next().value!);
      this.devices.set(key, loaded);
      return loaded;
    } catch (error) {
      this.devices.delete(key);
      throw error;
    }
  }

  private async load(userId: string, deviceId: string): Promise<DeviceTxns> {
    const rows = await this.store.recentForDevice(userId, deviceId, this.perDevice + 1);
    const complete = rows.length <= this.perDevice;
    const known = new Map<string, string>();
    for (const row of rows.slice(0, this.perDevice).reverse()) known.set(scopedId(row.scope, row.txnId), row.eventId);
    return { known, complete };
  }
}
