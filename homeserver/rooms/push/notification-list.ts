import type { Clock } from "../../core/clock.js";
import { errors } from "../../errors.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { PushActionsStore } from "../../storage/stores/push-actions-store.js";
import type { RoomStateReader } from "../room-state-reader.js";
import { toClientEvent, type ClientEvent } from "../client-event.js";

export interface NotificationJson {
  actions: unknown[];
  event: ClientEvent;
  read: boolean;
  room_id: string;
  ts: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;

/**
 * GET /notifications: the events push rules made notify the user, newest first, each with the actions of the
 * rule that matched and whether the user's receipts cover it. `from` is the previous page's next_token.
 */
export class NotificationList {
  constructor(
    private readonly stores: { pushActions: Pick<PushActionsStore, "notifications">; events: Pick<EventsStore, "getMany"> },
    private readonly reader: Pick<RoomStateReader, "roomVersion">,
    private readonly clock: Clock,
  ) {}

  async list(userId: string, query: { from?: string; limit?: string; only?: string }): Promise<{ notifications: NotificationJson[]; next_token?: string }> {
    const before = query.from === undefined ? undefined : Number(query.from);
    if (before !== undefined && (!/^-?\d+$/.test(query.from!) || !Number.isSafeInteger(before))) throw errors.invalidParam("Invalid 'from' token");
    const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
    if (!/^\d+$/.test(query.limit ?? "0") || !Number.isSafeInteger(limit)) throw errors.invalidParam("'limit' must be a non-negative integer");
    const rows = await this.stores.pushActions.notifications(userId, { before, limit: Math.min(limit, MAX_LIMIT), onlyHighlight: query.only === "highlight" });
    const events = await this.stores.events.getMany(rows.map((r) => r.eventId));
    const now = this.clock.now();
    const notifications: NotificationJson[] = [];
    for (const row of rows) {
      const stored = events.get(row.eventId);
      const version = stored && (await this.reader.roomVersion(row.roomId));
      if (!stored || !version) continue;
      notifications.push({ actions: JSON.parse(row.actions) as unknown[], event: toClientEvent(stored, version, now, { userId }), read: row.read, room_id: row.roomId, ts: row.ts });
    }
    const last = rows[rows.length - 1];
    return rows.length > 0 && rows.length === Math.min(limit, MAX_LIMIT) ? { notifications, next_token: String(last.streamPos) } : { notifications };
  }
}
