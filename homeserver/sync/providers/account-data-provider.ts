import type { UserServices } from "../../users/index.js";
import { eventFilterAllows, roomListAllows } from "../../core/filters.js";
import type { StreamIndex } from "../stream-index.js";
import { NOTHING, type RoomParts, type StreamContribution, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/**
 * The account data stream: the top-level `account_data` and each room's `account_data`, what changed in the
 * window (everything on an initial sync). full_state does not resend it. The stream index knows whose account
 * data moved, so a sync of anyone else reads nothing.
 */
export class AccountDataProvider implements SyncStreamProvider {
  readonly stream = "accountData";
  readonly perUser = true;

  constructor(
    private readonly index: StreamIndex,
    private readonly accountData: Pick<UserServices["accountData"], "changesSince">,
  ) {}

  news({ scope, since, to }: SyncWindow): WindowNews {
    const from = since?.accountData ?? 0;
    if (since && !this.index.accountDataMayHaveChanged(scope.userId, from)) return "none";
    return from < to.accountData ? "user" : "none";
  }

  async collect({ scope, since, to }: SyncRequest): Promise<StreamContribution> {
    const changes = await this.accountData.changesSince(scope.userId, since?.accountData ?? 0, to.accountData);
    const { accountData: globalFilter, roomAccountData: roomFilter } = scope.filter;
    const roomParts = new Map<string, RoomParts>();
    for (const [roomId, events] of changes.rooms) {
      if (!roomListAllows(roomFilter.rooms, roomFilter.not_rooms, roomId)) continue;
      const kept = events.filter((e) => eventFilterAllows(roomFilter, { type: e.type }));
      if (kept.length > 0) roomParts.set(roomId, { account_data: { events: kept } });
    }
    const global = changes.global.filter((e) => eventFilterAllows(globalFilter, { type: e.type }));
    if (global.length === 0 && roomParts.size === 0) return NOTHING;
    return {
      top: global.length > 0 ? { account_data: { events: global } } : undefined,
      roomParts: roomParts.size > 0 ? roomParts : undefined,
    };
  }
}
