import type { CoreContext } from "../../core/core-context.js";
import type { Db, Tx } from "../../storage/database.js";
import type { DeviceListsStore } from "../../storage/stores/device-lists-store.js";

/**
 * What a change of a user's device list owes other servers (edus/device-messages/ implements it, app/ wires it):
 * for one of our users, m.device_list_update EDUs to the servers sharing a room with them, queued in `tx`.
 * Changes of remote users (recorded when their server tells us) owe nothing.
 */
export interface DeviceListFederation {
  /** `deviceIds`: the devices that changed; undefined when the caller cannot say (then: all of the user's). */
  changed(tx: Tx, userId: string, deviceIds: readonly string[] | undefined): Promise<void>;
}

/**
 * Records that a user's devices or device keys changed (a new or changed device key upload, a device deleted), at a
 * position on the device-lists stream taken inside the writer's transaction. Once that position is published, the
 * user and everyone in their rooms is woken: their next sync lists the user in device_lists.changed, and their
 * clients fetch the new keys (an encrypting client must not encrypt for a device that is gone, nor miss a new one).
 */
export class DeviceListChanges {
  /** Committed changes whose position is not yet published: the users whose room-mates to wake once it is. */
  private readonly awaitingPublish = new Map<number, string>();
  private federation: DeviceListFederation | undefined;

  constructor(
    private readonly core: Pick<CoreContext, "streams" | "database" | "notifier" | "logger">,
    private readonly store: Pick<DeviceListsStore, "insert" | "joinedRooms">,
  ) {
    core.streams.deviceLists.onPublish(() => this.wakePublished());
  }

  useFederation(federation: DeviceListFederation): void {
    this.federation = federation;
  }

  /** `deviceIds`: which of the user's devices changed, for the federation EDUs (see DeviceListFederation). */
  async recordIn(tx: Tx, userId: string, deviceIds?: readonly string[]): Promise<void> {
    const publisher = this.core.streams.deviceLists;
    const position = publisher.allocate();
    // Committed or rolled back, the position must stop holding back readers.
    this.core.database.onSettled(tx, () => publisher.finish(position));
    this.core.database.onCommit(tx, () => this.awaitingPublish.set(position, userId));
    await this.store.insert(tx, position, userId);
    await this.federation?.changed(tx, userId, deviceIds);
  }

  private wakePublished(): void {
    const published = this.core.streams.deviceLists.current;
    const users = new Set<string>();
    for (const [position, userId] of this.awaitingPublish) {
      if (position > published) continue;
      users.add(userId);
      this.awaitingPublish.delete(position);
    }
    if (users.size === 0) return;
    // Their rooms are read after the fact: a member's sync reads the changes from the table whenever it wakes, so a
    // late wake-up only delays it, and the user themself (their other devices) is woken at once.
    this.core.notifier.onNew("deviceLists", published, { users });
    void this.store
      .joinedRooms([...users])
      .then((rooms) => {
        if (rooms.length > 0) this.core.notifier.onNew("deviceLists", published, { rooms: new Set(rooms) });
      })
      .catch((error: unknown) => this.core.logger.warn({ err: error }, "could not wake the room-mates of a device list change"));
  }
}

/**
 * The device store's writes that change a device list: a new device (a login; Synapse tells room-mates and other
 * servers at once, before the device has keys), a rename (its display name is part of what clients show), a
 * deletion. Each is recorded as a change of the owner's device list in the writer's transaction.
 */
export interface DeviceWrites {
  ensure(tx: Tx, device: { userId: string; deviceId: string; displayName: string | null; ts: number; ip: string | null }): Promise<boolean>;
  setDisplayName(userId: string, deviceId: string, displayName: string | null, executor?: Db | Tx): Promise<boolean>;
  delete(tx: Tx, userId: string, deviceIds: readonly string[]): Promise<void>;
  deleteAllExcept(tx: Tx, userId: string, keep: string | null): Promise<string[]>;
}

/** `devices` whose writes record device list changes; a rename is recorded only when made in a transaction. */
export function recordingDeviceChanges<S extends DeviceWrites>(devices: S, changes: Pick<DeviceListChanges, "recordIn">): S {
  return Object.assign(Object.create(devices) as S, {
    async ensure(tx: Tx, device: Parameters<DeviceWrites["ensure"]>[1]): Promise<boolean> {
      const created = await devices.ensure(tx, device);
      if (created) await changes.recordIn(tx, device.userId, [device.deviceId]);
      return created;
    },
    async setDisplayName(userId: string, deviceId: string, displayName: string | null, executor?: Db | Tx): Promise<boolean> {
      const renamed = await devices.setDisplayName(userId, deviceId, displayName, executor);
      if (renamed && executor?.isTransaction) await changes.recordIn(executor as Tx, userId, [deviceId]);
      return renamed;
    },
    async delete(tx: Tx, userId: string, deviceIds: readonly string[]): Promise<void> {
      await devices.delete(tx, userId, deviceIds);
      if (deviceIds.length > 0) await changes.recordIn(tx, userId, deviceIds);
    },
    async deleteAllExcept(tx: Tx, userId: string, keep: string | null): Promise<string[]> {
      const deleted = await devices.deleteAllExcept(tx, userId, keep);
      if (deleted.length > 0) await changes.recordIn(tx, userId, deleted);
      return deleted;
    },
  });
}
