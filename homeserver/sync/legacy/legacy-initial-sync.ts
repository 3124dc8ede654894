import type { CoreContext } from "../../core/core-context.js";
import { isMatrixError } from "../../errors.js";
import { formatEvents } from "../../rooms/read-formatting.js";
import type { DirectoryService } from "../../rooms/directory-service.js";
import type { RoomReads } from "../../rooms/room-reads.js";
import { formatRoomToken } from "../../streams/sync-token.js";
import type { AccountDataEvent, AccountDataService } from "../../users/account-data.js";
import type { Requester } from "../../users/requester.js";
import type { InitialSyncQuery, InitialSyncResponse, RoomInfoJson } from "../../../schemas/client/legacy/initial-sync.js";
import type { RoomInitialSyncResponse } from "../../../schemas/client/legacy/room-initial-sync.js";

/** Messages per room when the client names no limit. */
const DEFAULT_LIMIT = 10;

export interface LegacyInitialSyncDeps {
  core: Pick<CoreContext, "streams" | "clock">;
  reads: Pick<RoomReads, "reader" | "access" | "timelineStore" | "currentState" | "timeline" | "state">;
  accountData: Pick<AccountDataService, "changesSince">;
  directory: Pick<DirectoryService, "visibility">;
}

/**
 * The deprecated GET /initialSync and GET /rooms/{roomId}/initialSync, made of the reads /messages and
 * /state use: the latest messages (oldest first, with a token to paginate back from), the state (as it
 * was at the user's leave for rooms they left), history visibility throughout. Presence is not included.
 */
export class LegacyInitialSync {
  constructor(private readonly deps: LegacyInitialSyncDeps) {}

  async initialSync(requester: Requester, query: InitialSyncQuery): Promise<InitialSyncResponse> {
    const { core, reads } = this.deps;
    const now = core.streams.events.current;
    const [memberships, accountData] = await Promise.all([
      reads.timelineStore.latestMemberships(requester.userId, now),
      this.deps.accountData.changesSince(requester.userId, 0, core.streams.accountData.current),
    ]);
    const rooms: RoomInfoJson[] = [];
    for (const [roomId, event] of memberships) {
      const membership = String(event.pdu.content.membership);
      if (membership === "invite") {
        const version = await reads.reader.roomVersion(roomId);
        if (!version) continue;
        const [invite] = await formatEvents(reads.reader.events, [event], version, core.clock.now(), { userId: requester.userId, deviceId: requester.deviceId });
        rooms.push({ room_id: roomId, membership, invite });
        continue;
      }
      const wanted = membership === "join" || (query.archived === true && (membership === "leave" || membership === "ban"));
      if (!wanted) continue;
      try {
        rooms.push(await this.roomInfo(requester, roomId, membership, query.limit, accountData.rooms.get(roomId)));
      } catch (error) {
        // A room left and forgotten (or otherwise unreadable now) is left out rather than failing the whole answer.
        if (!isMatrixError(error)) throw error;
      }
    }
    return { end: formatRoomToken(now), presence: [], rooms, account_data: accountData.global };
  }

  /** 403 when the user may not read the room (never a member, and it is not world readable). */
  async roomInitialSync(requester: Requester, roomId: string): Promise<RoomInitialSyncResponse> {
    const { core, reads } = this.deps;
    await reads.access.require(requester.userId, roomId);
    const membership = (await reads.currentState.membership(roomId, requester.userId))?.membership ?? "leave";
    const accountData = await this.deps.accountData.changesSince(requester.userId, 0, core.streams.accountData.current);
    return { ...(await this.roomInfo(requester, roomId, membership, undefined, accountData.rooms.get(roomId))), presence: [] };
  }

  private async roomInfo(requester: Requester, roomId: string, membership: string, limit: number | undefined, accountData: AccountDataEvent[] = []): Promise<RoomInfoJson> {
    const { reads } = this.deps;
    const page = await reads.timeline.messages(requester, roomId, { dir: "b", limit: limit ?? DEFAULT_LIMIT });
    const state = await reads.state.state(requester, roomId);
    const visibility = await this.deps.directory.visibility(roomId);
    return {
      room_id: roomId,
      membership,
      // /messages paged backwards: its `end` is where older history continues (none when it ran out).
      messages: { ...(page.end === undefined ? {} : { start: page.end }), end: page.start, chunk: [...page.chunk].reverse() },
      state,
      visibility,
      account_data: accountData,
    };
  }
}
