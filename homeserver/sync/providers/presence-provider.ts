import type { BasicEventJson } from "../../../schemas/client/sync/get-sync.js";
import type { PresenceSyncSource } from "../../edus/sync-sources.js";
import { eventFilterAllows, type SyncFilter } from "../../core/filters.js";
import { NOTHING, resentSince, type StreamContribution, type SyncDraft, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/**
 * The presence stream: the top-level `presence`, changes in the window of users sharing a room with the user
 * (everyone's current presence on an initial sync), then, as Synapse does, the current presence of users who
 * came to share a room with them in it.
 */
export class PresenceProvider implements SyncStreamProvider {
  readonly stream = "presence";
  readonly perUser = true;

  constructor(private readonly source: PresenceSyncSource) {}

  news(window: SyncWindow): WindowNews {
    // A filter that leaves m.presence out (as many bots' and bridges' do) costs nothing here.
    if (!wanted(window.scope.filter)) return "none";
    const since = resentSince(window)?.presence;
    return since !== undefined && since >= window.to.presence ? "none" : "stream";
  }

  async collect(request: SyncRequest): Promise<StreamContribution> {
    const { filter } = request.scope;
    const events = await this.source.forUser({ userId: request.scope.userId, since: resentSince(request), to: request.to });
    const kept = events.filter((e) => eventFilterAllows(filter.presence, { type: e.type, sender: senderOf(e) }));
    const limited = filter.presence.limit === undefined ? kept : kept.slice(0, filter.presence.limit);
    return presenceOf(limited);
  }

  /**
   * Incremental syncs: the current presence of users who joined one of the user's rooms in this window (their
   * join is in the room's timeline here), and of every member of a room the user joined in it, since a presence
   * change from before the shared room began was never sent to this user. Needs the timeline's rooms.
   */
  async complete(request: SyncRequest, draft: SyncDraft): Promise<StreamContribution> {
    const { scope } = request;
    if (request.since === undefined || scope.fullState) return NOTHING;
    const joiners = new Set<string>();
    for (const section of Object.values(draft.top.rooms?.join ?? {})) {
      // The timeline only: the state section also carries lazy-loaded members who joined long ago.
      for (const event of section.timeline?.events ?? []) {
        if (event.type !== "m.room.member" || typeof event.state_key !== "string" || event.state_key === scope.userId) continue;
        const content = event.content as { membership?: unknown };
        const before = (event.unsigned as { prev_content?: { membership?: unknown } } | undefined)?.prev_content?.membership;
        if (content.membership === "join" && before !== "join") joiners.add(event.state_key);
      }
    }
    const newRooms = request.rooms.newlyJoined;
    if ((joiners.size === 0 && newRooms.size === 0) || !wanted(scope.filter)) return NOTHING;
    const { filter } = scope;
    const shown = draft.top.presence?.events ?? [];
    const already = new Set(shown.map(senderOf));
    const events = await this.source.forNewRoommates(scope.userId, [...joiners], [...newRooms]);
    const kept = events.filter((e) => !already.has(senderOf(e)) && eventFilterAllows(filter.presence, { type: e.type, sender: senderOf(e) }));
    const room = filter.presence.limit === undefined ? kept.length : Math.max(0, filter.presence.limit - shown.length);
    return presenceOf(kept.slice(0, room));
  }
}

function wanted(filter: SyncFilter): boolean {
  return filter.presence.limit !== 0 && eventFilterAllows(filter.presence, { type: "m.presence" });
}

function presenceOf(events: BasicEventJson[]): StreamContribution {
  return events.length > 0 ? { top: { presence: { events } } } : NOTHING;
}

function senderOf(event: BasicEventJson): string | undefined {
  const sender = (event as { sender?: unknown }).sender;
  return typeof sender === "string" ? sender : undefined;
}
