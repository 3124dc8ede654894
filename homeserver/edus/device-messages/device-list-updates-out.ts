import type { CoreContext } from "../../core/core-context.js";
import type { Edu } from "../edu-contracts.js";
import type { Tx } from "../../storage/database.js";
import type { DeviceSnapshot, FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import { parseUserId } from "../../users/user-ids.js";
import type { DeviceListFederation } from "../../users/device-lists/device-list-changes.js";
import type { DurableEduQueue } from "./durable-edus.js";
import type { CrossSigningStore } from "../../storage/stores/cross-signing-store.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import { crossSignedDeviceKeys } from "./cross-signed-device-keys.js";

export const DEVICE_LIST_UPDATE = "m.device_list_update";

/**
 * Outgoing m.device_list_update: when one of our users' devices is added (its keys uploaded), changed or deleted,
 * one EDU per device {user_id, device_id, stream_id, prev_id, deleted, keys} goes durably to every server sharing
 * a room with the user. stream_id counts per user; prev_id names the user's previous update, so a receiver that
 * lost one notices the gap and asks GET /user/devices. Device display names stay here, as Synapse keeps them
 * from other servers by default (and as POST /user/keys/query does).
 */
export class DeviceListUpdatesOut implements DeviceListFederation {
  constructor(
    private readonly core: Pick<CoreContext, "serverName">,
    private readonly store: Pick<FederationOutboxStore, "deviceSnapshots" | "nextDeviceListStreamIds" | "serversSharingRoomsWith">,
    private readonly outbox: DurableEduQueue,
    private readonly signatures: Pick<CrossSigningStore, "signaturesOn">,
  ) {}

  async changed(tx: Tx, userId: string, deviceIds: readonly string[] | undefined): Promise<void> {
    if (parseUserId(userId)?.serverName !== this.core.serverName) return;
    const devices = await this.store.deviceSnapshots(tx, userId, deviceIds);
    if (devices.length === 0) return;
    // The stream advances whether or not anyone is told: GET /user/devices answers where it stands.
    const { previous, ids } = await this.store.nextDeviceListStreamIds(tx, userId, devices.length);
    const destinations = await this.store.serversSharingRoomsWith(tx, userId, this.core.serverName);
    if (destinations.length === 0) return;
    const signed = await crossSignedDeviceKeys(this.signatures, tx, userId, devices.flatMap((d) => (d.exists && d.keyJson !== null ? [{ deviceId: d.deviceId, keyJson: d.keyJson }] : [])));
    const edus = devices.map((device, i) => deviceListUpdate(userId, device, ids[i], i === 0 ? previous : ids[i - 1], signed.get(device.deviceId)));
    await this.outbox.enqueue(
      tx,
      destinations.flatMap((destination) => edus.map((edu) => ({ destination, edu }))),
    );
  }
}

/** One device's update; `previous` 0 means the user's first (prev_id empty); `keys` with its cross-signatures. */
export function deviceListUpdate(userId: string, device: DeviceSnapshot, streamId: number, previous: number, keys?: DeviceKeys): Edu {
  const content: Record<string, unknown> = {
    user_id: userId,
    device_id: device.deviceId,
    stream_id: streamId,
    prev_id: previous > 0 ? [previous] : [],
    deleted: !device.exists,
  };
  if (device.exists && device.keyJson !== null) content.keys = keys ?? (JSON.parse(device.keyJson) as DeviceKeys);
  return { edu_type: DEVICE_LIST_UPDATE, content };
}
