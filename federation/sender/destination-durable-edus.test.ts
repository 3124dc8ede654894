import { describe, expect, it } from "vitest";
import { DestinationDurableEdus, type DurableEduSource } from "./durable-edu-outbox.js";

/** An outbox in memory: rows by id, in order. */
function memoryOutbox() {
  const rows: Array<{ id: number; n: number }> = [];
  let nextId = 1;
  const source: Pick<DurableEduSource, "pending" | "delivered"> = {
    pending: async (_destination, limit) => rows.slice(0, limit).map((r) => ({ id: r.id, edu: { edu_type: "m.x", content: { n: r.n } } })),
    delivered: async (_destination, ids) => {
      for (const id of ids) rows.splice(rows.findIndex((r) => r.id === id), 1);
    },
  };
  return { source, rows, add: (n: number) => rows.push({ id: nextId++, n }) };
}

describe("one destination's durable EDUs", () => {
  it("reads nothing until woken, deletes only what was delivered, and stops reading once the outbox is empty", async () => {
    const outbox = memoryOutbox();
    const edus = new DestinationDurableEdus(outbox.source, "peer");
    outbox.add(1);
    expect((await edus.take(10)).edus).toEqual([]);
    edus.markOwed();
    const batch = await edus.take(10);
    expect(batch.edus.map((e) => e.edu.content)).toEqual([{ n: 1 }]);
    // A failed transaction: nothing is deleted, and the rows are read again next time.
    expect(edus.isOwed).toBe(true);
    const again = await edus.take(10);
    expect(again.edus.map((e) => e.id)).toEqual(batch.edus.map((e) => e.id));
    await edus.delivered(again);
    expect(outbox.rows).toEqual([]);
    expect(edus.isOwed).toBe(false);
  });

  it("keeps reading after a full transaction, and after a wake-up that came while one was in flight", async () => {
    const outbox = memoryOutbox();
    const edus = new DestinationDurableEdus(outbox.source, "peer", true);
    for (let n = 0; n < 3; n++) outbox.add(n);
    const full = await edus.take(2);
    await edus.delivered(full);
    expect(edus.isOwed).toBe(true);
    const rest = await edus.take(2);
    expect(rest.edus.map((e) => e.edu.content)).toEqual([{ n: 2 }]);
    outbox.add(3);
    edus.markOwed(); // committed while `rest` was on its way
    await edus.delivered(rest);
    expect(edus.isOwed).toBe(true);
    expect((await edus.take(2)).edus.map((e) => e.edu.content)).toEqual([{ n: 3 }]);
  });
});
