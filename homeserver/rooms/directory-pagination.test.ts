import { describe, expect, it } from "vitest";
import { compareKeys, paginate, type ListingKey } from "./directory-pagination.js";

const rooms: ListingKey[] = [
  { joined: 9, roomId: "!a" },
  { joined: 5, roomId: "!b" },
  { joined: 5, roomId: "!c" },
  { joined: 3, roomId: "!d" },
  { joined: 1, roomId: "!e" },
];
const ids = (keys: ListingKey[]) => keys.map((k) => k.roomId);
const page = (limit: number, since?: string) => paginate(rooms, (k) => k, limit, since);

describe("published room list pagination", () => {
  it("orders by joined members, largest first, then by room id", () => {
    const shuffled = [rooms[3], rooms[2], rooms[0], rooms[4], rooms[1]];
    expect(ids([...shuffled].sort(compareKeys))).toEqual(ids(rooms));
  });

  it("gives the first page a next_batch but no prev_batch, and the last page the reverse", () => {
    const first = page(2);
    expect(ids(first.items)).toEqual(["!a", "!b"]);
    expect(first.prevBatch).toBeUndefined();
    const second = page(2, first.nextBatch);
    expect(ids(second.items)).toEqual(["!c", "!d"]);
    const third = page(2, second.nextBatch);
    expect(ids(third.items)).toEqual(["!e"]);
    expect(third.nextBatch).toBeUndefined();
    expect(third.prevBatch).toBeDefined();
  });

  it("walks back with prev_batch to the same pages, in the same largest-first order", () => {
    const second = page(2, page(2).nextBatch);
    const third = page(2, second.nextBatch);
    const back = page(2, third.prevBatch);
    expect(ids(back.items)).toEqual(["!c", "!d"]);
    const front = page(2, back.prevBatch);
    expect(ids(front.items)).toEqual(["!a", "!b"]);
    expect(front.prevBatch).toBeUndefined();
    expect(ids(page(2, front.nextBatch).items)).toEqual(["!c", "!d"]);
  });

  it("keeps its place by room, not offset, when a room before the boundary disappears", () => {
    const first = page(2);
    const shrunk = rooms.filter((k) => k.roomId !== "!a");
    expect(ids(paginate(shrunk, (k) => k, 2, first.nextBatch).items)).toEqual(["!c", "!d"]);
  });

  it("past the end gives an empty chunk whose prev_batch leads back to the last rooms", () => {
    // A token pointing after "!e", taken while a smaller room "!z" still followed it.
    const afterE = paginate([...rooms, { joined: 0, roomId: "!z" }], (k) => k, 5).nextBatch!;
    const empty = page(5, afterE);
    expect(empty.items).toEqual([]);
    expect(empty.nextBatch).toBeUndefined();
    expect(ids(page(2, empty.prevBatch).items)).toEqual(["!d", "!e"]);
  });

  it.each(["not base64 json!", Buffer.from("{\"n\":\"x\"}").toString("base64url"), Buffer.from("[]").toString("base64url")])(
    "rejects a malformed since token (%s) with M_INVALID_PARAM",
    (token) => {
      expect(() => page(2, token)).toThrow(expect.objectContaining({ errcode: "M_INVALID_PARAM", status: 400 }));
    },
  );
});
