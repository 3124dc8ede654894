import type { ReceiptRow } from "../../storage/stores/receipts-store.js";

/** Receipts kept for one room: enough for every member of a large group to have a receipt in memory. */
const ENTRIES_PER_ROOM = 2_000;
/** Receipts kept in all (a room counts one more): about 25 MB; the least recently written rooms go first. */
const MAX_ENTRIES = 100_000;

interface RoomLog {
  /** Every committed receipt of the room with a position above `floor` is in `entries`, or superseded there. */
  floor: number;
  /** The latest receipt per (user, type, thread), ascending by stream position. */
  entries: ReceiptRow[];
}

/** What a sync needs for one room: nothing, these receipts (from memory), or a database read. */
export type RoomReceipts = { kind: "none" } | { kind: "memory"; receipts: ReceiptRow[] } | { kind: "database" };

const sameKey = (a: ReceiptRow, b: ReceiptRow) => a.userId === b.userId && a.receiptType === b.receiptType && a.threadId === b.threadId;

/**
 * The receipts written since this process started, per room, as they commit. Every sync wake-up of every
 * member asks about each of their rooms, so the answer must come from here: a receipt in a 500-member room
 * wakes 500 syncers, and each serves it from this log instead of querying the database. Like the table, the
 * log holds only the latest receipt per (user, type, thread), so a room's log is bounded by its members and
 * a burst of receipts (everyone reads) stays in memory. Only a syncer whose token is older than what the log
 * covers reads the database: after a restart, or for a room whose log was trimmed or forgotten.
 */
export class RecentReceipts {
  /** In order of last write, least recent first (a Map keeps insertion order). */
  private readonly rooms = new Map<string, RoomLog>();
  private size = 0;
  /** Rooms without a log had no receipt committed above this position. */
  private unloggedFloor: number;

  /** `startPosition`: the receipts stream's position when the process started (everything below is stored only). */
  constructor(startPosition: number) {
    this.unloggedFloor = startPosition;
  }

  /** A receipt committed; called before its position is published, so no reader can miss it. */
  record(receipt: ReceiptRow): void {
    let log = this.rooms.get(receipt.roomId);
    if (log) {
      this.rooms.delete(receipt.roomId);
    } else {
      log = { floor: this.unloggedFloor, entries: [] };
      this.size += 1;
    }
    this.rooms.set(receipt.roomId, log);
    if (receipt.streamPos > log.floor) {
      const previous = log.entries.findIndex((r) => sameKey(r, receipt));
      if (previous >= 0 && log.entries[previous].streamPos > receipt.streamPos) return;
      if (previous >= 0) log.entries.splice(previous, 1);
      else this.size += 1;
      insertInOrder(log.entries, receipt);
      if (log.entries.length > ENTRIES_PER_ROOM) {
        log.floor = log.entries.shift()!.streamPos;
        this.size -= 1;
      }
    }
    while (this.size > MAX_ENTRIES && this.rooms.size > 1) this.forgetOldestRoom();
  }

  /** The receipts of `roomId` with since < position <= to. */
  between(roomId: string, since: number, to: number): RoomReceipts {
    const log = this.rooms.get(roomId);
    if (!log) return since >= this.unloggedFloor ? { kind: "none" } : { kind: "database" };
    const last = log.entries.at(-1)?.streamPos ?? log.floor;
    if (last <= since) return { kind: "none" };
    if (since < log.floor) return { kind: "database" };
    const receipts: ReceiptRow[] = [];
    for (let i = firstAfter(log.entries, since); i < log.entries.length && log.entries[i].streamPos <= to; i++) receipts.push(log.entries[i]);
    return receipts.length === 0 ? { kind: "none" } : { kind: "memory", receipts };
  }

  private forgetOldestRoom(): void {
    const oldest = this.rooms.entries().next();
    if (oldest.done) return;
    const [roomId, log] = oldest.value;
    this.rooms.delete(roomId);
    this.size -= 1 + log.entries.length;
    const last = log.entries.at(-1)?.streamPos ?? log.floor;
    if (last > this.unloggedFloor) this.unloggedFloor = last;
  }
}

/** Index of the first entry with a position above `since` (binary search: entries are in position order). */
function firstAfter(entries: readonly ReceiptRow[], since: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid].streamPos <= since) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertInOrder(entries: ReceiptRow[], receipt: ReceiptRow): void {
  // Commits arrive almost in position order, so the place is found from the end.
  let i = entries.length;
  while (i > 0 && entries[i - 1].streamPos > receipt.streamPos) i--;
  entries.splice(i, 0, receipt);
}
