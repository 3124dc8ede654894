import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { isEventInThread } from "./receipt-threads.js";

function stored(eventId: string, relatesTo?: { rel_type: string; event_id: string }): StoredEvent {
  const content = relatesTo ? { "m.relates_to": relatesTo } : {};
  return { pdu: { event_id: eventId, room_id: "!r:s", type: "m.room.message", content } } as unknown as StoredEvent;
}

// A <-[m.thread]- B <-[m.annotation]- C;  A <-[m.reference]- D <-[m.annotation]- E;  F alone
const events = new Map(
  [
    stored("$A"),
    stored("$B", { rel_type: "m.thread", event_id: "$A" }),
    stored("$C", { rel_type: "m.annotation", event_id: "$B" }),
    stored("$D", { rel_type: "m.reference", event_id: "$A" }),
    stored("$E", { rel_type: "m.annotation", event_id: "$D" }),
    stored("$F"),
    stored("$G", { rel_type: "m.annotation", event_id: "$missing" }),
  ].map((e) => [e.pdu.event_id, e]),
);
const lookup = { get: async (id: string) => events.get(id) };
const inThread = (eventId: string, threadId: string) => isEventInThread(lookup, events.get(eventId)!, threadId);

describe("isEventInThread", () => {
  it("a thread takes its root, its events and what relates to them", async () => {
    for (const id of ["$A", "$B", "$C", "$D", "$E"]) expect(await inThread(id, "$A"), id).toBe(true);
    expect(await inThread("$F", "$A")).toBe(false);
  });

  it("the main timeline takes events in no thread, thread roots included", async () => {
    for (const id of ["$A", "$D", "$E", "$F", "$G"]) expect(await inThread(id, "main"), id).toBe(true);
    for (const id of ["$B", "$C"]) expect(await inThread(id, "main"), id).toBe(false);
  });

  it("an event in one thread is not in another", async () => {
    expect(await inThread("$B", "$F")).toBe(false);
    expect(await inThread("$G", "$missing")).toBe(false);
  });
});
