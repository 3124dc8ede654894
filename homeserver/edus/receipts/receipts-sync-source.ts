import type { BasicEventJson } from "../../../schemas/client/sync/get-sync.js";
import { UNTHREADED, type ReceiptRow, type ReceiptsStore } from "../../storage/stores/receipts-store.js";
import type { EphemeralWindow, RoomEphemeralSource } from "../sync-sources.js";
import { READ_PRIVATE } from "./receipt-types.js";
import type { RecentReceipts } from "./recent-receipts.js";

/**
 * m.receipt for sync: per joined room, one event with the receipts that changed in the window (all of the
 * room's receipts on an initial sync). An incremental sync is answered from the in-memory log and costs no
 * query unless the token is older than the log. m.read.private receipts go to their owner only.
 */
export class ReceiptsSyncSource implements RoomEphemeralSource {
  constructor(
    private readonly store: ReceiptsStore,
    private readonly recent: RecentReceipts,
  ) {}

  async forRooms(window: EphemeralWindow, roomIds: readonly string[]): Promise<Map<string, BasicEventJson[]>> {
    const to = window.to.receipts;
    const since = window.since?.receipts;
    const byRoom = new Map<string, ReceiptRow[]>();
    if (since === undefined) {
      if (roomIds.length > 0) groupInto(byRoom, await this.store.inRooms(roomIds, undefined, to));
    } else if (since < to) {
      const fromDatabase: string[] = [];
      for (const roomId of roomIds) {
        const recent = this.recent.between(roomId, since, to);
        if (recent.kind === "memory") byRoom.set(roomId, recent.receipts);
        else if (recent.kind === "database") fromDatabase.push(roomId);
      }
      if (fromDatabase.length > 0) groupInto(byRoom, await this.store.inRooms(fromDatabase, since, to));
    }
    const events = new Map<string, BasicEventJson[]>();
    for (const [roomId, receipts] of byRoom) {
      const event = receiptEvent(receipts, window.userId);
      if (event) events.set(roomId, [event]);
    }
    return events;
  }
}

function groupInto(byRoom: Map<string, ReceiptRow[]>, rows: ReceiptRow[]): void {
  for (const row of rows) {
    const list = byRoom.get(row.roomId);
    if (list) list.push(row);
    else byRoom.set(row.roomId, [row]);
  }
}

/**
 * One m.receipt event from receipts in position order: {$event: {type: {user: data}}}. A later receipt of the
 * same (user, type, thread) replaces an earlier one, as the stored row did. Undefined when nothing is left
 * for `viewer` (only other users' private receipts).
 */
export function receiptEvent(receipts: readonly ReceiptRow[], viewer: string): BasicEventJson | undefined {
  const latest = new Map<string, ReceiptRow>();
  for (const r of receipts) {
    if (r.receiptType === READ_PRIVATE && r.userId !== viewer) continue;
    const key = `${r.userId}\u0000${r.receiptType}\u0000${r.threadId}`;
    latest.delete(key);
    latest.set(key, r);
  }
  if (latest.size === 0) return undefined;
  const content: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const r of latest.values()) {
    const forEvent = (content[r.eventId] ??= {});
    const forType = (forEvent[r.receiptType] ??= {}) as Record<string, unknown>;
    // An unthreaded and a threaded receipt of one user may point at the same event; the later one is shown.
    forType[r.userId] = r.threadId === UNTHREADED ? withoutThread(r.data) : { ...r.data, thread_id: r.threadId };
  }
  return { type: "m.receipt", content };
}

function withoutThread(data: Record<string, unknown>): Record<string, unknown> {
  if (!("thread_id" in data)) return data;
  const { thread_id: _ignored, ...rest } = data;
  return rest;
}
