import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentifiedPdu, JsonObject } from "../../events/pdu.js";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { EventsStore, type NewEventRow } from "./events-store.js";
import { RelationsStore } from "./relations-store.js";

const ROOM = "!relations:test.local";

describe.each(testDrivers())("RelationsStore on %s", (driver) => {
  let test: TestDatabase;
  let events: EventsStore;
  let relations: RelationsStore;
  let position = 0;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    events = new EventsStore(test.database.db);
    relations = new RelationsStore(test.database.db);
  });
  afterAll(() => test.dispose());

  /** Writes one event straight into the events table, the way the persist pipeline stores it. */
  async function put(id: string, content: JsonObject, options: { sender?: string; type?: string; ts?: number; stateKey?: string; outlier?: boolean } = {}) {
    position += 1;
    const pdu: IdentifiedPdu = {
      event_id: id,
      room_id: ROOM,
      sender: options.sender ?? "@alice:test.local",
      type: options.type ?? "m.room.message",
      content,
      origin_server_ts: options.ts ?? 1000 + position,
      prev_events: [],
      auth_events: [],
      depth: position,
      ...(options.stateKey === undefined ? {} : { state_key: options.stateKey }),
    };
    const row: NewEventRow = { roomId: ROOM, streamPos: position, roomSeq: position, pdu, unsigned: null, senderDevice: null, txnId: null, stateGroupBefore: null, stateGroupAfter: null, outlier: options.outlier };
    await test.database.transaction((tx) => events.insertMany(tx, [row]));
    return position;
  }
  const relatesTo = (relType: string, eventId: string, extra: JsonObject = {}): JsonObject => ({ "m.relates_to": { rel_type: relType, event_id: eventId }, ...extra });
  const edit = (parent: string) => relatesTo("m.replace", parent, { body: "* x", "m.new_content": { body: "x" } });

  it("latestEdits picks the newest valid edit by origin_server_ts, then by the larger event id", async () => {
    await put("$orig", { body: "orig" });
    await put("$edit-b", edit("$orig"), { ts: 5000 });
    await put("$edit-a", edit("$orig"), { ts: 5000 });
    await put("$edit-old", edit("$orig"), { ts: 4000 });
    // Invalid: later, but another sender, another type, a state event, or no m.new_content.
    await put("$edit-bob", edit("$orig"), { ts: 9000, sender: "@bob:test.local" });
    await put("$edit-type", edit("$orig"), { ts: 9000, type: "m.sticker" });
    await put("$edit-state", edit("$orig"), { ts: 9000, stateKey: "" });
    await put("$edit-empty", relatesTo("m.replace", "$orig"), { ts: 9000 });
    // Encrypted edits carry m.new_content in the ciphertext.
    await put("$enc", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "a" }, { type: "m.room.encrypted" });
    await put("$enc-edit", relatesTo("m.replace", "$enc", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "b" }), { type: "m.room.encrypted" });
    const edits = await relations.latestEdits(ROOM, ["$orig", "$enc"]);
    expect(edits.get("$orig")?.pdu.event_id).toBe("$edit-b");
    expect(edits.get("$enc")?.pdu.event_id).toBe("$enc-edit");
  });

  it("only well-formed relations count: both rel_type and event_id strings, in content.m.relates_to", async () => {
    await put("$parent", { body: "p" });
    await put("$good", relatesTo("m.reference", "$parent"));
    await put("$no-type", { "m.relates_to": { event_id: "$parent" } });
    await put("$number", { "m.relates_to": { rel_type: 5, event_id: "$parent" } });
    await put("$array", { "m.relates_to": [{ rel_type: "m.reference", event_id: "$parent" }] });
    await put("$top-level", { rel_type: "m.reference", event_id: "$parent" });
    // Looks like a relation to a substring test, and is none.
    await put("$mention", { body: '"m.relates_to"' });
    await put("$outlier", relatesTo("m.reference", "$parent"), { outlier: true });
    expect(await relations.references(ROOM, ["$parent"], [])).toEqual(new Map([["$parent", ["$good"]]]));
    expect(await relations.childRelTypes(ROOM, ["$parent", "$good"], ["m.reference", "m.thread"])).toEqual(new Map([["$parent", new Set(["m.reference"])]]));
  });

  it("threadSummaries counts, finds the newest and the reader's part, leaving out ignored senders", async () => {
    await put("$root", { body: "root" });
    await put("$t1", relatesTo("m.thread", "$root"), { sender: "@bob:test.local" });
    const newest = await put("$t2", relatesTo("m.thread", "$root"), { sender: "@carol:test.local" });
    const summaries = await relations.threadSummaries(ROOM, ["$root", "$none"], "@bob:test.local", []);
    expect(summaries.size).toBe(1);
    expect(summaries.get("$root")).toMatchObject({ count: 2, participated: true });
    expect(summaries.get("$root")?.latest.streamPos).toBe(newest);
    const ignoring = await relations.threadSummaries(ROOM, ["$root"], "@alice:test.local", ["@carol:test.local"]);
    expect(ignoring.get("$root")).toMatchObject({ count: 1, participated: false });
    expect(ignoring.get("$root")?.latest.pdu.event_id).toBe("$t1");
  });

  it("threadRoots orders by latest thread activity and pages below a position", async () => {
    await put("$ra", { body: "a" });
    await put("$rb", { body: "b" }, { sender: "@bob:test.local" });
    await put("$rb1", relatesTo("m.thread", "$rb"));
    const last = await put("$ra1", relatesTo("m.thread", "$ra"), { sender: "@bob:test.local" });
    const all = await relations.threadRoots(ROOM, last, 10);
    const order = all.map((r) => r.root.pdu.event_id);
    expect(order.slice(0, 2)).toEqual(["$ra", "$rb"]);
    expect(all[0].latestPos).toBe(last);
    expect((await relations.threadRoots(ROOM, last - 1, 1)).map((r) => r.root.pdu.event_id)).toEqual(["$rb"]);
    // @bob started $rb and replied in $ra and $root.
    expect((await relations.threadRoots(ROOM, last, 10, "@bob:test.local")).map((r) => r.root.pdu.event_id)).toEqual(["$ra", "$rb", "$root"]);
  });

  it("children recurses through matching relations only, up to the depth asked", async () => {
    await put("$top", { body: "top" });
    await put("$c1", relatesTo("m.reference", "$top"));
    await put("$c2", relatesTo("m.reference", "$c1"));
    await put("$c3", relatesTo("m.reference", "$c2"));
    await put("$c4", relatesTo("m.reference", "$c3"));
    await put("$via-other", relatesTo("m.thread", "$c1"));
    const page = (depth: number, relType?: string) =>
      relations.children({ roomId: ROOM, parentId: "$top", relType, from: position, dir: "b", limit: 10, depth }).then((e) => e.map((x) => x.pdu.event_id));
    expect(await page(1)).toEqual(["$c1"]);
    expect(await page(3)).toEqual(["$via-other", "$c3", "$c2", "$c1"]);
    expect(await page(3, "m.reference")).toEqual(["$c3", "$c2", "$c1"]);
  });

  it("withChildren answers the related_by filters; an empty list matches nothing", async () => {
    expect(await relations.withChildren(ROOM, ["$root", "$top", "$ra"], ["m.thread"], ["@carol:test.local"])).toEqual(new Set(["$root"]));
    expect(await relations.withChildren(ROOM, ["$root", "$top"], undefined, undefined)).toEqual(new Set(["$root", "$top"]));
    expect(await relations.withChildren(ROOM, ["$root"], [], undefined)).toEqual(new Set());
  });
});
