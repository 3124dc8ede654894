import { Method, type MatrixClient } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { sendText } from "../../support/send-text.js";
import type { SyncResponse } from "../../support/sync-types.js";
import { directions, type PeerUser } from "../support/peers.js";
import { sharedRoom } from "../support/shared-room.js";

type Receipt = { ts?: number; thread_id?: string };
/** m.receipt content: event id -> receipt type -> user id -> receipt. */
type ReceiptContent = Record<string, Record<string, Record<string, Receipt>>>;

function postReceipt(client: MatrixClient, roomId: string, receiptType: string, eventId: string, threadId?: string): Promise<unknown> {
  const path = `/rooms/${encodeURIComponent(roomId)}/receipt/${encodeURIComponent(receiptType)}/${encodeURIComponent(eventId)}`;
  return client.http.authedRequest(Method.Post, path, undefined, threadId === undefined ? {} : { thread_id: threadId });
}

/** The m.receipt events of `roomId` in one /sync response (the spec schema has already validated it). */
function receiptEvents(response: SyncResponse, roomId: string): ReceiptContent[] {
  const room = response.rooms?.join?.[roomId] as { ephemeral?: { events: Array<{ type: string; content: ReceiptContent }> } } | undefined;
  return (room?.ephemeral?.events ?? []).filter((e) => e.type === "m.receipt").map((e) => e.content);
}

/** The latest receipt of `reader` of `receiptType` on `eventId` among m.receipt contents, oldest first. */
function find(seen: readonly ReceiptContent[], eventId: string, receiptType: string, reader: string): Receipt | undefined {
  let found: Receipt | undefined;
  for (const content of seen) found = content[eventId]?.[receiptType]?.[reader] ?? found;
  return found;
}

/**
 * Long-polls `user`'s /sync until every wanted receipt has arrived (they may come in one response or
 * several); returns every m.receipt content seen on the way, to check also what must never arrive.
 */
async function awaitReceipts(user: PeerUser, roomId: string, wanted: Array<[eventId: string, receiptType: string, reader: string]>): Promise<ReceiptContent[]> {
  const seen: ReceiptContent[] = [];
  const missing = () => wanted.filter(([eventId, type, reader]) => find(seen, eventId, type, reader) === undefined);
  await user.sync.syncUntil(
    () => missing().length === 0,
    () => `${user.userId} is still missing ${JSON.stringify(missing())}; saw ${JSON.stringify(seen)}`,
    60_000,
    (response) => seen.push(...receiptEvents(response, roomId)),
  );
  return seen;
}

describe.each(directions())("read receipts across servers ($label)", ({ host, guest }) => {
  it("a public m.read crosses to the other server's /sync, threaded or not, both ways; an m.read.private never leaves its server", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "receipts");
    const first = await sendText(owner.client, roomId, "read privately");
    const second = await sendText(owner.client, roomId, "read publicly");
    await visitor.sync.syncUntilSeen([first, second]);

    // The visitor reads the first message privately, then the second publicly.
    await postReceipt(visitor.client, roomId, "m.read.private", first);
    await postReceipt(visitor.client, roomId, "m.read", second);
    const own = await awaitReceipts(visitor, roomId, [[first, "m.read.private", visitor.userId]]);
    expect(typeof find(own, first, "m.read.private", visitor.userId)!.ts).toBe("number");

    // The public receipt, sent after the private one, reaches the owner's server; the private one never does.
    const onOwner = await awaitReceipts(owner, roomId, [[second, "m.read", visitor.userId]]);
    const publicReceipt = find(onOwner, second, "m.read", visitor.userId)!;
    expect(typeof publicReceipt.ts).toBe("number");
    expect(publicReceipt.thread_id).toBeUndefined();
    expect(JSON.stringify(onOwner)).not.toContain("m.read.private");
    const initial = await owner.client.http.authedRequest<SyncResponse>(Method.Get, "/sync", { filter: JSON.stringify({ room: { timeline: { limit: 1 } } }) });
    expect(JSON.stringify(receiptEvents(initial, roomId))).not.toContain("m.read.private");
    expect(receiptEvents(initial, roomId).some((content) => content[second]?.["m.read"]?.[visitor.userId] !== undefined)).toBe(true);

    // The other way: a threaded receipt from the owner's server reaches the visitor's, with its thread.
    const root = await sendText(visitor.client, roomId, "thread root");
    const { event_id: reply } = await visitor.client.http.authedRequest<{ event_id: string }>(
      Method.Put,
      `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/reply-${Date.now()}`,
      undefined,
      { msgtype: "m.text", body: "in the thread", "m.relates_to": { rel_type: "m.thread", event_id: root } },
    );
    await owner.sync.syncUntilSeen([root, reply]);
    await postReceipt(owner.client, roomId, "m.read", reply, root);
    await postReceipt(owner.client, roomId, "m.read", root, "main");
    const onVisitor = await awaitReceipts(visitor, roomId, [
      [reply, "m.read", owner.userId],
      [root, "m.read", owner.userId],
    ]);
    expect(find(onVisitor, reply, "m.read", owner.userId)!.thread_id).toBe(root);
    expect(find(onVisitor, root, "m.read", owner.userId)!.thread_id).toBe("main");
  });
});
