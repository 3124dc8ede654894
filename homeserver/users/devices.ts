import type { CoreContext } from "../core/core-context.js";
import { errors } from "../errors.js";
import { passwordUia } from "./accounts.js";
import type { Requester } from "./requester.js";
import { checkDeviceDisplayName } from "./sessions.js";
import type { DeviceRecord, DeviceStore } from "../storage/stores/device-store.js";
import type { TokenStore } from "../storage/stores/token-store.js";
import type { AccessTokenAuth } from "./token-auth.js";
import { hasNul } from "./text.js";
import type { UiaService } from "./uia.js";

/** A device as the client API shows it: absent fields are left out rather than null. */
export interface ClientDevice {
  device_id: string;
  display_name?: string;
  last_seen_ip?: string;
  last_seen_ts?: number;
}

export function toClientDevice(device: DeviceRecord): ClientDevice {
  const out: ClientDevice = { device_id: device.deviceId };
  if (device.displayName !== null) out.display_name = device.displayName;
  if (device.lastSeenIp !== null) out.last_seen_ip = device.lastSeenIp;
  if (device.lastSeenTs !== null) out.last_seen_ts = device.lastSeenTs;
  return out;
}

export class DeviceService {
  constructor(
    private readonly core: CoreContext,
    private readonly devices: DeviceStore,
    private readonly tokens: TokenStore,
    private readonly uia: UiaService,
    private readonly auth: AccessTokenAuth,
  ) {}

  async list(userId: string): Promise<ClientDevice[]> {
    return (await this.devices.list(userId)).map(toClientDevice);
  }

  /** Throws M_NOT_FOUND for a device the user does not have. */
  async get(userId: string, deviceId: string): Promise<ClientDevice> {
    const device = hasNul(deviceId) ? undefined : await this.devices.get(userId, deviceId);
    if (!device) throw errors.notFound("Device not found");
    return toClientDevice(device);
  }

  /** PUT /devices/{deviceId}: only the display name is client-settable. */
  async update(userId: string, deviceId: string, displayName: string | undefined): Promise<void> {
    if (displayName === undefined) {
      await this.get(userId, deviceId);
      return;
    }
    checkDeviceDisplayName(displayName);
    if (hasNul(deviceId)) throw errors.notFound("Device not found");
    // In a transaction: the rename and the device list change it is (room-mates and other servers are told) commit together.
    const renamed = await this.core.database.transaction((tx) => this.devices.setDisplayName(userId, deviceId, displayName, tx));
    if (!renamed) throw errors.notFound("Device not found");
  }

  /**
   * DELETE /devices/{id} and POST /delete_devices, after m.login.password UIA. The UIA session is bound to
   * the exact set of devices, so a session authorised for one device cannot be replayed for others.
   * Devices the user does not have are ignored; their tokens go with them.
   */
  async deleteDevices(requester: Requester, deviceIds: readonly string[], auth: unknown): Promise<void> {
    // Ids that cannot exist (NUL) are dropped like any other unknown device.
    const unique = [...new Set(deviceIds)].filter((id) => !hasNul(id)).sort();
    await this.uia.authenticate(auth, passwordUia(`delete_devices:${JSON.stringify(unique)}`, requester.userId));
    await this.core.database.transaction(async (tx) => {
      await this.tokens.deleteForDevices(tx, requester.userId, unique);
      await this.devices.delete(tx, requester.userId, unique);
    });
    this.auth.forgetUser(requester.userId);
  }
}
