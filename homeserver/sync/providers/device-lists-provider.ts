import { deviceListDelta, type DeviceListReads } from "../../users/device-lists/device-list-delta.js";
import type { StreamIndex } from "../stream-index.js";
import { NOTHING, type StreamContribution, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/**
 * device_lists in an incremental sync (an initial sync has none, as in Synapse: the client then queries the keys of
 * everyone it shares a room with). An end-to-end encrypting client re-fetches the keys of `changed` and stops
 * encrypting for `left`. A message into a room, with no device change and no membership change, reads nothing:
 * the stream index knows which rooms had membership changes.
 */
export class DeviceListsProvider implements SyncStreamProvider {
  readonly stream = "deviceLists";
  readonly perUser = true;

  constructor(
    private readonly index: Pick<StreamIndex, "roomsWithMembershipChangesAfter">,
    private readonly store: DeviceListReads,
  ) {}

  news({ since, to }: SyncWindow): WindowNews {
    if (!since) return "none";
    return since.deviceLists < to.deviceLists || since.events < to.events ? "stream" : "none";
  }

  async collect({ scope, since, to, rooms }: SyncRequest): Promise<StreamContribution> {
    if (!since) return NOTHING;
    const stayed = rooms.joined.filter((roomId) => !rooms.newlyJoined.has(roomId));
    const withMembershipChanges = this.index.roomsWithMembershipChangesAfter(stayed, since.events);
    // The common wake-up (a message somewhere): no device change, nobody came or went, nothing of ours changed.
    if (since.deviceLists >= to.deviceLists && withMembershipChanges?.length === 0 && rooms.changes.size === 0) return NOTHING;
    const delta = await deviceListDelta(
      this.store,
      scope.userId,
      { deviceLists: { from: since.deviceLists, to: to.deviceLists }, events: { from: since.events, to: to.events } },
      {
        joined: rooms.joined,
        newlyJoined: rooms.newlyJoined,
        left: [...rooms.changes.keys()].filter((roomId) => !rooms.joined.includes(roomId)),
        withMembershipChanges,
      },
    );
    if (delta.changed.length === 0 && delta.left.length === 0) return NOTHING;
    const lists: { changed?: string[]; left?: string[] } = {};
    if (delta.changed.length > 0) lists.changed = delta.changed;
    if (delta.left.length > 0) lists.left = delta.left;
    return { top: { device_lists: lists } };
  }
}
