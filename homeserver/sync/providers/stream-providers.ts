import type { EduSyncSources } from "../../edus/sync-sources.js";
import type { SyncDeps } from "../sync-context.js";
import { AccountDataProvider } from "./account-data-provider.js";
import { PresenceProvider } from "./presence-provider.js";
import { NotificationCountsProvider } from "./notification-counts-provider.js";
import { DeviceListsProvider } from "./device-lists-provider.js";
import type { SyncStreamProvider } from "./provider.js";
import { RoomEphemeralProvider } from "./room-ephemeral-provider.js";
import { TimelineProvider } from "./timeline-provider.js";
import { ToDeviceProvider } from "./to-device-provider.js";

/**
 * Every stream sync reads. The order is the order of their parts in a response (rooms, account_data,
 * presence; receipts before typing in a room's ephemeral) and of their second passes (the timeline's rooms
 * before presence, which looks at them). A new stream (to-device, device lists, notification counts) is one
 * more entry here.
 */
export function syncStreamProviders(deps: SyncDeps, edus: EduSyncSources): SyncStreamProvider[] {
  return [
    new TimelineProvider(deps),
    new AccountDataProvider(deps.index, deps.users.accountData, deps.users.pushRules),
    new RoomEphemeralProvider("receipts", edus.receipts),
    new RoomEphemeralProvider("typing", edus.typing),
    new PresenceProvider(edus.presence),
    new NotificationCountsProvider(deps.counts),
    new ToDeviceProvider(deps.index, deps.toDevice),
    new DeviceListsProvider(deps.index, deps.deviceLists),
  ];
}
