import type { CoreContext } from "../../core/core-context.js";
import type { RoomMemory } from "../../rooms/persist/room-memory.js";
import { roomIdOf } from "../../rooms/timeline-reads.js";
import { UNTHREADED } from "../../storage/stores/receipts-store.js";
import { hasNul } from "../../users/text.js";
import type { Edu, FederationOutbox } from "../edu-contracts.js";
import type { EventLookup } from "./receipt-threads.js";
import { READ } from "./receipt-types.js";
import type { NewReceipt, ReceiptBroadcaster, ReceiptsService } from "./receipts-service.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const MAX_ID_LENGTH = 255;
const isStorableId = (v: unknown, sigil: string): v is string => typeof v === "string" && v.startsWith(sigil) && v.length <= MAX_ID_LENGTH && !hasNul(v);

export interface RoomMemories {
  roomMemory(roomId: string): Promise<RoomMemory | undefined>;
}

/**
 * The m.receipt EDU: {roomId: {"m.read": {userId: {event_ids: [eventId], data: {ts, thread_id?}}}}}. Only
 * public read receipts cross servers. Out: one EDU per receipt, keyed by (room, user, thread) so that a newer
 * receipt replaces one a destination has not been sent yet. In: stored for the origin's own users who are
 * joined to the room by our state; everything else is refused.
 */
export class ReceiptsEdu implements ReceiptBroadcaster {
  private service: ReceiptsService | undefined;

  constructor(
    private readonly core: CoreContext,
    private readonly rooms: RoomMemories,
    private readonly events: EventLookup,
    private readonly outbox: FederationOutbox,
  ) {}

  /** The service writes what comes in, and calls back here with what goes out. */
  attach(service: ReceiptsService): void {
    this.service = service;
  }

  async broadcast(receipt: NewReceipt): Promise<void> {
    const memory = await this.rooms.roomMemory(receipt.roomId);
    const servers = memory?.joinedServers(this.core.serverName) ?? new Set<string>();
    if (servers.size === 0) return;
    const data: Record<string, unknown> = { ...receipt.data };
    if (receipt.threadId !== UNTHREADED) data.thread_id = receipt.threadId;
    const edu: Edu = {
      edu_type: "m.receipt",
      content: { [receipt.roomId]: { [READ]: { [receipt.userId]: { event_ids: [receipt.eventId], data } } } },
    };
    this.outbox.sendEdu(servers, edu, `m.receipt\u0000${receipt.roomId}\u0000${receipt.userId}\u0000${receipt.threadId}`);
  }

  /** The EduHandler for m.receipt. Valid entries are stored even when others are refused; then it throws. */
  async receive(origin: string, content: Record<string, unknown>): Promise<void> {
    const refused: string[] = [];
    for (const [roomId, byType] of Object.entries(content)) {
      const readers = isObject(byType) ? byType[READ] : undefined;
      if (!isObject(readers)) continue;
      const memory = await this.rooms.roomMemory(roomId);
      for (const [userId, receipt] of Object.entries(readers)) {
        if (serverOf(userId) !== origin) refused.push(`${userId} is not a user of ${origin}`);
        else if (memory?.membershipOf(userId) !== "join") refused.push(`${userId} is not joined to ${roomId}`);
        else if (!(await this.store(roomId, userId, receipt))) refused.push(`malformed receipt of ${userId} in ${roomId}`);
      }
    }
    if (refused.length > 0) throw new Error(`m.receipt from ${origin}: ${refused.join("; ")}`);
  }

  /** False when the entry is malformed or names an event of another room; true when stored or outdated. */
  private async store(roomId: string, userId: string, receipt: unknown): Promise<boolean> {
    if (!this.service || !isObject(receipt) || !Array.isArray(receipt.event_ids)) return false;
    const eventId = receipt.event_ids.find((id) => isStorableId(id, "$"));
    if (!isStorableId(eventId, "$") || !isStorableId(roomId, "!") || !isStorableId(userId, "@")) return false;
    const data = isObject(receipt.data) ? receipt.data : {};
    const threadId = typeof data.thread_id === "string" && data.thread_id !== "" && data.thread_id.length <= MAX_ID_LENGTH && !hasNul(data.thread_id) ? data.thread_id : UNTHREADED;
    const event = await this.events.get(eventId);
    if (event && roomIdOf(event) !== roomId) return false;
    // Only the timestamp is kept: other fields are not in the spec, and arbitrary JSON has no place in sync.
    const ts = typeof data.ts === "number" && Number.isSafeInteger(data.ts) ? data.ts : undefined;
    const stored: NewReceipt = { roomId, userId, receiptType: READ, threadId, eventId, data: ts === undefined ? {} : { ts } };
    await this.service.write(stored, event?.streamPos);
    return true;
  }
}
