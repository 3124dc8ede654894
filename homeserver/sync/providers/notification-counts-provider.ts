import type { NotificationCounts } from "../notification-counts.js";
import { NOTHING, type StreamContribution, type SyncDraft, type SyncRequest, type SyncStreamProvider, type WindowNews } from "./provider.js";

/**
 * Notification counts (push rules' decisions, less what the user's receipts cover) for every joined room the
 * response holds. It runs last, on the rooms the other providers put in. Not per-user for shared responses:
 * those get each member's own counts laid over them (SharedResponses.reuse), so it need not keep them from
 * being shared.
 */
export class NotificationCountsProvider implements SyncStreamProvider {
  readonly stream = "events";
  readonly perUser = false;

  constructor(private readonly counts: Pick<NotificationCounts, "forRooms">) {}

  news(): WindowNews {
    return "stream";
  }

  async complete({ scope, to }: SyncRequest, draft: SyncDraft): Promise<StreamContribution> {
    const roomIds = Object.keys(draft.top.rooms?.join ?? {});
    if (roomIds.length === 0) return NOTHING;
    return { roomParts: await this.counts.forRooms(scope.userId, roomIds, to, scope.filter.threadedCounts) };
  }
}
