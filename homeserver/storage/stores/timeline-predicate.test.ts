import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../test-databases.js";
import { newUser, SyncHarness } from "../../sync/testing/sync-fixtures.js";
import { EventsStore } from "./events-store.js";
import { TimelineStore } from "./timeline-store.js";
import { TimestampLookupStore } from "./timestamp-lookup-store.js";

/** The timeline reads and /timestamp_to_event agree on which rows are a room's timeline (one shared predicate). */
describe.each(testDrivers())("what counts as the timeline, for timeline pages and timestamp lookups, on %s", (driver) => {
  const { app } = useTestApp(driver);
  let roomId: string;
  let live: string[];
  let held: string[];
  const ts = 4_000_000_000_000;

  beforeAll(async () => {
    const h = new SyncHarness(app);
    const alice = newUser("alice");
    roomId = await h.createRoom(alice);
    const sent = await h.send(alice, roomId, "live");
    const events = new EventsStore(app.ctx.db);
    const template = (await events.get(sent))!.pdu;
    // Rows held outside the timeline, far in the future so a lookup from `ts` would find them first.
    const kinds = [{ outlier: true }, { softFailed: true }, { rejectedReason: "test" }];
    held = kinds.map((_, i) => `$held-${i}-${driver}`);
    await app.ctx.database.transaction(async (tx) => {
      await events.insertMany(
        tx,
        kinds.map((kind, i) => ({
          roomId,
          streamPos: -1_000_000 - i,
          roomSeq: -1_000_000 - i,
          pdu: { ...template, event_id: held[i], origin_server_ts: ts + i },
          unsigned: null,
          senderDevice: null,
          txnId: null,
          stateGroupBefore: null,
          stateGroupAfter: null,
          ...kind,
        })),
      );
    });
    live = (await new TimelineStore(app.ctx.db).page(roomId, { from: app.ctx.streams.events.current, dir: "b", limit: 100 })).map((e) => e.pdu.event_id);
  });

  it("leaves outliers, soft-failed and rejected events out of timeline pages and earliest", async () => {
    const timeline = new TimelineStore(app.ctx.db);
    expect(live).toContain((await timeline.earliest(roomId))!.pdu.event_id);
    const forward = await timeline.page(roomId, { from: -2_000_000, dir: "f", limit: 100 });
    expect(forward.map((e) => e.pdu.event_id).sort()).toEqual([...live].sort());
    for (const id of held) expect(live).not.toContain(id);
  });

  it("leaves the same events out of timestamp lookups, in both directions", async () => {
    const lookup = new TimestampLookupStore(app.ctx.db);
    expect(await lookup.nearest(roomId, ts, "f", 10)).toEqual([]);
    const back = await lookup.nearest(roomId, ts + 10, "b", 100);
    expect(back.map((e) => e.pdu.event_id).sort()).toEqual([...live].sort());
  });
});
