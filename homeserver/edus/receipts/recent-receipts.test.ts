import { describe, expect, it } from "vitest";
import { UNTHREADED, type ReceiptRow } from "../../storage/stores/receipts-store.js";
import { RecentReceipts } from "./recent-receipts.js";
import { receiptEvent } from "./receipts-sync-source.js";

const row = (roomId: string, streamPos: number, over: Partial<ReceiptRow> = {}): ReceiptRow => ({
  roomId,
  userId: `@u${streamPos}:s`,
  receiptType: "m.read",
  threadId: UNTHREADED,
  eventId: `$e${streamPos}`,
  data: { ts: streamPos },
  streamPos,
  ...over,
});

describe("RecentReceipts", () => {
  it("answers from memory for a token the log covers, with the window (since, to] only", () => {
    const log = new RecentReceipts(10);
    log.record(row("!r", 11));
    log.record(row("!r", 13));
    log.record(row("!r", 12)); // commits may arrive out of position order
    expect(log.between("!r", 10, 13)).toEqual({ kind: "memory", receipts: [row("!r", 11), row("!r", 12), row("!r", 13)] });
    expect(log.between("!r", 11, 12)).toEqual({ kind: "memory", receipts: [row("!r", 12)] });
    expect(log.between("!r", 13, 13)).toEqual({ kind: "none" });
  });

  it("says nothing changed for a room without receipts since start, and sends older tokens to the database", () => {
    const log = new RecentReceipts(10);
    expect(log.between("!quiet", 10, 20)).toEqual({ kind: "none" });
    expect(log.between("!quiet", 9, 20)).toEqual({ kind: "database" });
    log.record(row("!busy", 11));
    expect(log.between("!busy", 5, 20)).toEqual({ kind: "database" });
  });

  it("keeps only the latest receipt per (user, type, thread), as the table does", () => {
    const log = new RecentReceipts(0);
    log.record(row("!r", 1, { userId: "@a:s" }));
    log.record(row("!r", 2, { userId: "@a:s", receiptType: "m.read.private" }));
    log.record(row("!r", 3, { userId: "@a:s", threadId: "main" }));
    log.record(row("!r", 4, { userId: "@a:s" }));
    const all = log.between("!r", 0, 4);
    expect(all.kind === "memory" && all.receipts.map((r) => r.streamPos)).toEqual([2, 3, 4]);
  });

  it("a burst of receipts from every member of a large room stays in memory; past 2,000 the oldest are trimmed", () => {
    const log = new RecentReceipts(0);
    for (let pos = 1; pos <= 2_000; pos++) log.record(row("!big", pos));
    const burst = log.between("!big", 0, 2_000);
    expect(burst.kind === "memory" && burst.receipts.length).toBe(2_000);
    log.record(row("!big", 2_001));
    expect(log.between("!big", 0, 2_001)).toEqual({ kind: "database" });
    const recent = log.between("!big", 1, 2_001);
    expect(recent.kind === "memory" && recent.receipts.length).toBe(2_000);
  });

  it("forgets the least recently written rooms, and then sends tokens older than their receipts to the database", () => {
    const log = new RecentReceipts(0);
    log.record(row("!first", 1));
    // Each room with one receipt counts two against the budget of 100,000.
    for (let i = 0; i < 50_000; i++) log.record(row(`!room${i}`, 2 + i));
    expect(log.between("!first", 0, 60_000)).toEqual({ kind: "database" });
    expect(log.between("!first", 1, 60_000)).toEqual({ kind: "none" });
    expect(log.between("!never", 0, 60_000)).toEqual({ kind: "database" });
    expect(log.between("!never", 1, 60_000)).toEqual({ kind: "none" });
    expect(log.between("!room49999", 50_000, 60_000).kind).toBe("memory");
  });
});

describe("receiptEvent", () => {
  it("groups by event and type, keeps the latest per (user, type, thread), and adds thread_id for threaded receipts", () => {
    const event = receiptEvent(
      [
        row("!r", 1, { userId: "@a:s", eventId: "$old" }),
        row("!r", 2, { userId: "@b:s", eventId: "$x", threadId: "main" }),
        row("!r", 3, { userId: "@a:s", eventId: "$x" }),
      ],
      "@viewer:s",
    );
    expect(event).toEqual({
      type: "m.receipt",
      content: { $x: { "m.read": { "@a:s": { ts: 3 }, "@b:s": { ts: 2, thread_id: "main" } } } },
    });
  });

  it("shows m.read.private to its owner only; nothing at all when only others' private receipts are left", () => {
    const rows = [row("!r", 1, { userId: "@owner:s", receiptType: "m.read.private" })];
    expect(receiptEvent(rows, "@owner:s")).toEqual({ type: "m.receipt", content: { $e1: { "m.read.private": { "@owner:s": { ts: 1 } } } } });
    expect(receiptEvent(rows, "@other:s")).toBeUndefined();
  });
});
