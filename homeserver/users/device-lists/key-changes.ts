import { errors } from "../../errors.js";
import type { DeviceListsStore } from "../../storage/stores/device-lists-store.js";
import { parseSyncToken } from "../../streams/sync-token.js";
import { deviceListDelta, type DeviceListDelta } from "./device-list-delta.js";

/**
 * GET /keys/changes: the users whose device lists changed between two sync tokens, as sync's device_lists would
 * have said over that window (a client that was offline, or that starts from a stored token, catches up here).
 */
export class KeyChanges {
  constructor(private readonly store: DeviceListsStore) {}

  async between(userId: string, fromToken: string, toToken: string): Promise<DeviceListDelta> {
    const from = parseSyncToken(fromToken);
    const to = parseSyncToken(toToken);
    if (!from) throw errors.invalidParam("Invalid from token");
    if (!to) throw errors.invalidParam("Invalid to token");
    const [own, joined] = await Promise.all([this.store.ownMembershipChanges(userId, from.events, to.events), this.store.joinedRooms([userId])]);
    const newlyJoined = new Set([...own].filter(([, membership]) => membership === "join").map(([roomId]) => roomId));
    const left = [...own].filter(([roomId, membership]) => (membership === "leave" || membership === "ban") && !joined.includes(roomId)).map(([roomId]) => roomId);
    return deviceListDelta(
      this.store,
      userId,
      { deviceLists: { from: from.deviceLists, to: to.deviceLists }, events: { from: from.events, to: to.events } },
      { joined, newlyJoined, left },
    );
  }
}
