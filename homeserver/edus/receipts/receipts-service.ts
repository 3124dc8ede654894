import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { UNTHREADED, type ReceiptRow, type ReceiptsStore } from "../../storage/stores/receipts-store.js";
import { requireStorable } from "../../users/text.js";
import type { FullyReadMarkers } from "./fully-read-markers.js";
import type { ReceiptTargets } from "./receipt-target.js";
import { FULLY_READ, READ, READ_PRIVATE, type ClientReceiptType } from "./receipt-types.js";
import type { RecentReceipts } from "./recent-receipts.js";

export type NewReceipt = Omit<ReceiptRow, "streamPos">;

/** Where a local public receipt goes to the room's other servers (receipts-edu.ts). */
export interface ReceiptBroadcaster {
  broadcast(receipt: NewReceipt): Promise<void>;
}

export interface ReadMarkers {
  fullyRead?: string;
  read?: string;
  readPrivate?: string;
}

/**
 * Read receipts and read markers from local clients, and the one write path that remote receipts share:
 * a position on the receipts stream, one upsert, the in-memory log, then publish and notify (the room for a
 * public receipt, only its owner for a private one).
 */
export class ReceiptsService {
  /** Told after a local user's read receipt (public or private) is stored: pushers send the new badge. */
  private readonly readListeners: Array<(userId: string, roomId: string) => void> = [];

  constructor(
    private readonly core: CoreContext,
    private readonly store: ReceiptsStore,
    private readonly recent: RecentReceipts,
    private readonly targets: ReceiptTargets,
    private readonly fullyRead: FullyReadMarkers,
    private readonly broadcaster: ReceiptBroadcaster,
  ) {}

  /**
   * POST /rooms/{roomId}/receipt/{receiptType}/{eventId}. `threadId` is the body's thread_id as sent
   * (undefined when absent); the spec answers a bad one with 400 M_INVALID_PARAM, not M_BAD_JSON.
   */
  async postReceipt(userId: string, roomId: string, receiptType: ClientReceiptType, eventId: string, threadId: unknown): Promise<void> {
    if (threadId !== undefined) {
      if (typeof threadId !== "string" || threadId === "") throw errors.invalidParam("thread_id field must be a non-empty string");
      requireStorable(threadId, "thread_id");
      if (receiptType === FULLY_READ) throw errors.invalidParam(`thread_id is not compatible with ${FULLY_READ}`);
    }
    const event = await this.targets.visibleEvent(userId, roomId, eventId);
    if (threadId !== undefined) await this.targets.requireInThread(event, threadId);
    if (receiptType === FULLY_READ) await this.fullyRead.set(userId, roomId, event);
    else await this.sendLocal(userId, roomId, receiptType, event, threadId ?? UNTHREADED);
  }

  /** POST /rooms/{roomId}/read_markers: every event is checked before anything is written. */
  async setReadMarkers(userId: string, roomId: string, markers: ReadMarkers): Promise<void> {
    const target = (eventId: string | undefined) => (eventId === undefined ? undefined : this.targets.visibleEvent(userId, roomId, eventId));
    const [fullyRead, read, readPrivate] = [await target(markers.fullyRead), await target(markers.read), await target(markers.readPrivate)];
    if (fullyRead) await this.fullyRead.set(userId, roomId, fullyRead);
    if (read) await this.sendLocal(userId, roomId, READ, read, UNTHREADED);
    if (readPrivate) await this.sendLocal(userId, roomId, READ_PRIVATE, readPrivate, UNTHREADED);
  }

  /** For the pusher loop (app/ wires it): a listener must not throw and must not wait. */
  onLocalRead(listener: (userId: string, roomId: string) => void): void {
    this.readListeners.push(listener);
  }

  /**
   * Stores a receipt unless the stored one is newer (see ReceiptsStore.upsert); `eventPos` is the event's
   * room-stream position when this server holds the event. Returns whether it was written.
   */
  async write(receipt: NewReceipt, eventPos: number | undefined): Promise<boolean> {
    const publisher = this.core.streams.receipts;
    const position = publisher.allocate();
    const row: ReceiptRow = { ...receipt, streamPos: position };
    let written = false;
    try {
      written = await this.store.upsert(row, eventPos);
    } finally {
      // Written or not (or failed), the position must stop holding readers back.
      if (!written) publisher.finish(position);
    }
    if (!written) return false;
    // Logged before it is published, so a syncer who can see the position finds the receipt in the log.
    this.recent.record(row);
    const audience = row.receiptType === READ_PRIVATE ? { users: [row.userId] } : { rooms: [row.roomId] };
    publisher.finish(position, () => this.core.notifier.onNew("receipts", position, audience));
    return true;
  }

  private async sendLocal(userId: string, roomId: string, receiptType: typeof READ | typeof READ_PRIVATE, event: StoredEvent, threadId: string): Promise<void> {
    const receipt: NewReceipt = { roomId, userId, receiptType, threadId, eventId: event.pdu.event_id, data: { ts: this.core.clock.now() } };
    const written = await this.write(receipt, event.streamPos);
    if (written) for (const listener of this.readListeners) listener(userId, roomId);
    // Private receipts never leave this server.
    if (written && receiptType === READ) await this.broadcaster.broadcast(receipt);
  }
}
