import type { CoreContext } from "../../core/core-context.js";
import type { EduDispatcher } from "../edu-dispatcher.js";
import type { Stores } from "../../storage/stores/stores.js";
import type { UserServices } from "../../users/index.js";
import { DeviceMessagingCleanup } from "./cleanup-job.js";
import { DeviceListUpdatesIn } from "./device-list-updates-in.js";
import { DEVICE_LIST_UPDATE, DeviceListUpdatesOut } from "./device-list-updates-out.js";
import { DIRECT_TO_DEVICE, DirectToDeviceEdu } from "./direct-to-device-edu.js";
import { DurableEduOutbox, type DurableEduSource } from "./durable-edus.js";
import { SigningKeyUpdatesOut } from "./signing-key-updates-out.js";
import { UserDevices, type RemoteUserDevices } from "./user-devices.js";
import { RemoteDeviceLists } from "../../users/device-lists/remote-device-lists.js";

export type { DurableEduSource, DurableEduWaker, QueuedEdu } from "./durable-edus.js";
export { remoteUserDevicesOver } from "./user-devices.js";

/** The federation half of device messaging, as app/ wires it. */
export interface DeviceFederation {
  /** The durable EDU outbox, for the federation sender to read and be woken by. */
  outbox: DurableEduSource;
  /** GET /user/devices/{userId}. */
  userDevices: UserDevices;
  /** The pruning of request and message ids, run hourly by the server process. */
  cleanup: DeviceMessagingCleanup;
  /** Remote users' device lists as the EDUs above keep them, for /keys/query. */
  remoteDeviceLists: RemoteDeviceLists;
}

export interface DeviceFederationDeps {
  stores: Pick<Stores, "federationOutbox" | "crossSigning" | "remoteDeviceLists" | "durableEduExpiry">;
  users: Pick<UserServices, "toDevice" | "deviceListChanges" | "crossSigning">;
  dispatcher: Pick<EduDispatcher, "register">;
  /** Other servers' GET /user/devices, for resyncs. */
  remote: RemoteUserDevices;
}

/**
 * Plugs device messaging into federation: to-device messages, device list changes and cross-signing key changes of
 * our users go out through the durable outbox, m.direct_to_device and m.device_list_update EDUs from other servers
 * come in.
 */
export function createDeviceFederation(core: CoreContext, deps: DeviceFederationDeps): DeviceFederation {
  const store = deps.stores.federationOutbox;
  const outbox = new DurableEduOutbox(core, store, deps.stores.durableEduExpiry);
  const directToDevice = new DirectToDeviceEdu(core, outbox, store, deps.users.toDevice);
  deps.users.toDevice.useFederation(directToDevice);
  deps.users.deviceListChanges.useFederation(new DeviceListUpdatesOut(core, store, outbox, deps.stores.crossSigning));
  deps.users.crossSigning.useFederation(new SigningKeyUpdatesOut(core, store, outbox));
  deps.dispatcher.register(DIRECT_TO_DEVICE, directToDevice.receive);
  const remoteDeviceLists = new RemoteDeviceLists(core, deps.stores.remoteDeviceLists);
  const updatesIn = new DeviceListUpdatesIn(core, store, deps.users.deviceListChanges, deps.remote, remoteDeviceLists, deps.users.crossSigning.updates);
  deps.dispatcher.register(DEVICE_LIST_UPDATE, updatesIn.receive);
  remoteDeviceLists.useCaching((origin, userId) => updatesIn.startCaching(origin, userId));
  return {
    outbox,
    userDevices: new UserDevices(core.serverName, store, deps.users.crossSigning, deps.stores.crossSigning, core.db),
    cleanup: new DeviceMessagingCleanup(core, store),
    remoteDeviceLists,
  };
}
