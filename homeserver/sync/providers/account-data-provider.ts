import type { UserServices } from "../../users/index.js";
import { eventFilterAllows, roomListAllows } from "../../core/filters.js";
import type { StreamIndex } from "../stream-index.js";
import { PUSH_RULES_TYPE } from "../../users/push-rules/push-rules-service.js";
import { NOTHING, type RoomParts, type StreamContribution, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/**
 * The account data stream: the top-level `account_data` and each room's `account_data`, what changed in the
 * window (everything on an initial sync). full_state does not resend it. The stream index knows whose account
 * data moved, so a sync of anyone else reads nothing.
 *
 * Push rules are account data the server keeps (`m.push_rules`): sent whole, with the server's defaults, in every
 * initial sync (as Synapse does, so a client has them before it asks) and whenever the user changes one.
 */
export class AccountDataProvider implements SyncStreamProvider {
  readonly stream = "accountData";
  readonly perUser = true;

  constructor(
    private readonly index: StreamIndex,
    private readonly accountData: Pick<UserServices["accountData"], "changesSince">,
    private readonly pushRules: Pick<UserServices["pushRules"], "contentFromStored">,
  ) {}

  news({ scope, since, to }: SyncWindow): WindowNews {
    if (!since) return "user";
    const from = since.accountData;
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
    const stored = changes.global.map((e) => (e.type === PUSH_RULES_TYPE ? { type: e.type, content: this.pushRules.contentFromStored(scope.userId, e.content) } : e));
    if (!since && !stored.some((e) => e.type === PUSH_RULES_TYPE)) {
      stored.push({ type: PUSH_RULES_TYPE, content: this.pushRules.contentFromStored(scope.userId, undefined) });
    }
    const global = stored.filter((e) => eventFilterAllows(globalFilter, { type: e.type }));
    if (global.length === 0 && roomParts.size === 0) return NOTHING;
    return {
      top: global.length > 0 ? { account_data: { events: global } } : undefined,
      roomParts: roomParts.size > 0 ? roomParts : undefined,
    };
  }
}
