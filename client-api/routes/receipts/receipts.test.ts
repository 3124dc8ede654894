import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";
import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";

const SYNC = "/_matrix/client/v3/sync";
const RECEIPT = "/_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}";
const MARKERS = "/_matrix/client/v3/rooms/{roomId}/read_markers";
const enc = encodeURIComponent;

type Receipts = Record<string, Record<string, Record<string, { ts?: number; thread_id?: string }>>>;

describe.each(testDrivers())("receipts and read markers on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });
  let roomId: string;

  const post = (who: TestUser, url: string, payload: unknown = {}) =>
    app.http.inject({ method: "POST", url, headers: bearer(who), payload: payload as object });
  const receiptUrl = (type: string, eventId: string, room = roomId) => `/_matrix/client/v3/rooms/${enc(room)}/receipt/${enc(type)}/${enc(eventId)}`;
  const markersUrl = (room = roomId) => `/_matrix/client/v3/rooms/${enc(room)}/read_markers`;
  const sendReceipt = (who: TestUser, type: string, eventId: string, body: unknown = {}) => post(who, receiptUrl(type, eventId), body);
  const send = async (who: TestUser, content: Record<string, unknown>, room = roomId) => {
    const response = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${Math.random().toString(36).slice(2)}`,
      headers: bearer(who),
      payload: content,
    });
    return response.json().event_id as string;
  };
  const text = (who: TestUser, body: string) => send(who, { msgtype: "m.text", body });

  async function sync(who: TestUser, since?: string): Promise<SyncResponse> {
    const response = await app.http.inject({ method: "GET", url: SYNC, query: since ? { since } : {}, headers: bearer(who) });
    expect(response.statusCode).toBe(200);
    const body = response.json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    return body;
  }
  /** The m.receipt content of `room` in a sync response (undefined when the room has none). */
  const receiptsIn = (response: SyncResponse, room = roomId): Receipts | undefined => {
    const events = response.rooms?.join?.[room]?.ephemeral.events.filter((e) => e.type === "m.receipt") ?? [];
    expect(events.length).toBeLessThanOrEqual(1);
    return events[0]?.content as Receipts | undefined;
  };

  beforeAll(async () => {
    roomId = (await post(alice, "/_matrix/client/v3/createRoom", { preset: "public_chat" })).json().room_id;
    expect((await post(bob, `/_matrix/client/v3/rooms/${enc(roomId)}/join`)).statusCode).toBe(200);
  });

  it("m.read answers {} and reaches every member's sync as one m.receipt event with ts", async () => {
    const message = await text(alice, "read me");
    const before = await app.http.inject({ method: "GET", url: SYNC, headers: bearer(alice) });
    const response = await sendReceipt(bob, "m.read", message);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
    expect(specErrors(RECEIPT, "POST", 200, response.json())).toEqual([]);
    for (const who of [alice, bob]) {
      const receipt = receiptsIn(await sync(who))?.[message]?.["m.read"]?.[bob.userId];
      expect(receipt).toBeDefined();
      expect(typeof receipt!.ts).toBe("number");
      expect(receipt!.thread_id).toBeUndefined();
    }
    // Incremental: the receipt arrives once, in the window that covers it.
    const incremental = await sync(alice, (before.json() as SyncResponse).next_batch);
    expect(Object.keys(receiptsIn(incremental)![message]["m.read"])).toContain(bob.userId);
  });

  it("an incremental sync carries only the receipts written since its token", async () => {
    const first = await text(alice, "one");
    await sendReceipt(bob, "m.read", first);
    const token = (await sync(alice)).next_batch;
    expect(receiptsIn(await sync(alice, token))).toBeUndefined();

    const second = await text(alice, "two");
    await sendReceipt(alice, "m.read", second);
    const afterAlice = await sync(alice, token);
    expect(receiptsIn(afterAlice)).toEqual({ [second]: { "m.read": { [alice.userId]: expect.objectContaining({ ts: expect.any(Number)}) } } });
    await sendReceipt(bob, "m.read", second);
    const afterBob = await sync(alice, afterAlice.next_batch);
    expect(receiptsIn(afterBob)).toEqual({ [second]: { "m.read": { [bob.userId]: expect.objectContaining({ ts: expect.any(Number) }) } } });
  });

  it("a long-polling sync wakes for a receipt", async () => {
    const message = await text(alice, "poll");
    const token = (await sync(bob)).next_batch;
    const polling = app.http.inject({ method: "GET", url: SYNC, query: { since: token, timeout: "20000" }, headers: bearer(bob) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sendReceipt(alice, "m.read", message);
    const body = (await polling).json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    expect(receiptsIn(body)?.[message]["m.read"][alice.userId]).toBeDefined();
  });

  it("a receipt for an event before the user's current receipt is accepted but ignored (as Synapse does)", async () => {
    const older = await text(alice, "older");
    const newer = await text(alice, "newer");
    await sendReceipt(bob, "m.read", newer);
    const token = (await sync(bob)).next_batch;
    expect((await sendReceipt(bob, "m.read", older)).statusCode).toBe(200);
    expect(receiptsIn(await sync(bob, token))).toBeUndefined();
    const current = receiptsIn(await sync(alice))!;
    expect(current[newer]["m.read"][bob.userId]).toBeDefined();
    expect(current[older]?.["m.read"]?.[bob.userId]).toBeUndefined();
  });

  it("m.read.private reaches its owner's sync and never another member's, initial or incremental", async () => {
    const message = await text(alice, "private");
    const aliceToken = (await sync(alice)).next_batch;
    const bobToken = (await sync(bob)).next_batch;
    const response = await sendReceipt(bob, "m.read.private", message);
    expect(response.statusCode).toBe(200);

    const own = receiptsIn(await sync(bob, bobToken));
    expect(own?.[message]?.["m.read.private"]?.[bob.userId]).toBeDefined();
    expect(receiptsIn(await sync(bob))?.[message]?.["m.read.private"]?.[bob.userId]).toBeDefined();

    const incremental = await sync(alice, aliceToken);
    expect(JSON.stringify(incremental)).not.toContain("m.read.private");
    expect(JSON.stringify(await sync(alice))).not.toContain("m.read.private");
  });

  it("a private and a public receipt in one window: the other member gets the public one only", async () => {
    const message = await text(alice, "mixed");
    const aliceToken = (await sync(alice)).next_batch;
    await sendReceipt(bob, "m.read.private", message);
    const carol = await registerTestUser(app.http);
    await post(carol, `/_matrix/client/v3/rooms/${enc(roomId)}/join`);
    await sendReceipt(carol, "m.read", message);
    const content = receiptsIn(await sync(alice, aliceToken))!;
    expect(content[message]).toEqual({ "m.read": { [carol.userId]: expect.objectContaining({ ts: expect.any(Number) }) } });
  });

  it("threaded receipts: a thread root's thread and \"main\" are kept apart and carry thread_id in sync", async () => {
    const root = await text(alice, "thread root");
    const reply = await send(alice, { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: root } });
    const reaction = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.reaction/r${Date.now()}`,
      headers: bearer(alice),
      payload: { "m.relates_to": { rel_type: "m.annotation", event_id: reply, key: "👍" } },
    });
    const token = (await sync(alice)).next_batch;

    expect((await sendReceipt(bob, "m.read", reply, { thread_id: root })).statusCode).toBe(200);
    expect((await sendReceipt(bob, "m.read", reaction.json().event_id, { thread_id: root })).statusCode).toBe(200);
    expect((await sendReceipt(bob, "m.read", root, { thread_id: "main" })).statusCode).toBe(200);
    const content = receiptsIn(await sync(alice, token))!;
    expect(content[reaction.json().event_id]["m.read"][bob.userId]).toMatchObject({ thread_id: root, ts: expect.any(Number) });
    expect(content[root]["m.read"][bob.userId]).toMatchObject({ thread_id: "main" });
  });

  it("answers a thread_id the event is not related to, an empty or non-string one, or one with m.fully_read with 400 M_INVALID_PARAM", async () => {
    const root = await text(alice, "another root");
    const reply = await send(alice, { msgtype: "m.text", body: "reply", "m.relates_to": { rel_type: "m.thread", event_id: root } });
    const unrelated = await text(alice, "unrelated");
    const cases: Array<[string, string, unknown]> = [
      ["m.read", reply, { thread_id: "main" }],
      ["m.read", unrelated, { thread_id: root }],
      ["m.read", unrelated, { thread_id: "" }],
      ["m.read", unrelated, { thread_id: 5 }],
      ["m.read.private", unrelated, { thread_id: null }],
      ["m.fully_read", unrelated, { thread_id: "main" }],
    ];
    for (const [type, eventId, body] of cases) {
      const response = await sendReceipt(bob, type, eventId, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
      expect(specErrors(RECEIPT, "POST", 400, response.json())).toEqual([]);
    }
  });

  it("m.fully_read is stored as the room's m.fully_read account data, not as a receipt", async () => {
    const message = await text(alice, "fully read");
    const token = (await sync(bob)).next_batch;
    expect((await sendReceipt(bob, "m.fully_read", message)).statusCode).toBe(200);
    const response = await sync(bob, token);
    const room = response.rooms!.join![roomId];
    expect(room.account_data.events).toContainEqual({ type: "m.fully_read", content: { event_id: message } });
    expect(receiptsIn(response)).toBeUndefined();
    const stored = await app.http.inject({
      method: "GET",
      url: `/_matrix/client/v3/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`,
      headers: bearer(bob),
    });
    expect(stored.json()).toEqual({ event_id: message });
  });

  it("POST /read_markers sets the fully read marker and both receipts at once", async () => {
    const read = await text(alice, "markers 1");
    const fullyRead = await text(alice, "markers 2");
    const token = (await sync(bob)).next_batch;
    const response = await post(bob, markersUrl(), { "m.fully_read": fullyRead, "m.read": read, "m.read.private": fullyRead });
    expect(response.statusCode).toBe(200);
    expect(specErrors(MARKERS, "POST", 200, response.json())).toEqual([]);
    const body = await sync(bob, token);
    expect(body.rooms!.join![roomId].account_data.events).toContainEqual({ type: "m.fully_read", content: { event_id: fullyRead } });
    const content = receiptsIn(body)!;
    expect(content[read]["m.read"][bob.userId]).toBeDefined();
    expect(content[fullyRead]["m.read.private"][bob.userId]).toBeDefined();
    expect((await post(bob, markersUrl(), {})).statusCode).toBe(200);
  });

  it("the fully read marker does not move back to an earlier event", async () => {
    const earlier = await text(alice, "earlier");
    const later = await text(alice, "later");
    await post(bob, markersUrl(), { "m.fully_read": later });
    await post(bob, markersUrl(), { "m.fully_read": earlier });
    const stored = await app.http.inject({
      method: "GET",
      url: `/_matrix/client/v3/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`,
      headers: bearer(bob),
    });
    expect(stored.json()).toEqual({ event_id: later });
  });

  it("answers an unknown receipt type, a malformed event or room id with 400 M_INVALID_PARAM", async () => {
    const message = await text(alice, "bad input");
    for (const url of [receiptUrl("m.unknown", message), receiptUrl("read", message), receiptUrl("m.read", "not-an-event"), receiptUrl("m.read", message, "not-a-room")]) {
      const response = await post(bob, url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
    }
    const nul = await post(bob, receiptUrl("m.read", "$a\u0000b"));
    expect(nul.statusCode).toBe(400);
    const markers = await post(bob, markersUrl("not-a-room"), { "m.read": message });
    expect(markers.json().errcode).toBe("M_INVALID_PARAM");
  });

  it("answers bodies that are not JSON objects, or markers that are not strings, with M_NOT_JSON / M_BAD_JSON", async () => {
    const message = await text(alice, "bodies");
    const none = await app.http.inject({ method: "POST", url: receiptUrl("m.read", message), headers: bearer(bob) });
    expect(none.statusCode).toBe(400);
    expect(none.json().errcode).toBe("M_NOT_JSON");
    const array = await post(bob, receiptUrl("m.read", message), [1]);
    expect(array.json().errcode).toBe("M_BAD_JSON");
    const markers = await post(bob, markersUrl(), { "m.read": 7 });
    expect(markers.statusCode).toBe(400);
    expect(markers.json().errcode).toBe("M_BAD_JSON");
  });

  it("a user who is not joined gets 403 M_FORBIDDEN; an event not in the room 404 M_NOT_FOUND", async () => {
    const message = await text(alice, "members only");
    const outsider = await registerTestUser(app.http);
    for (const response of [await sendReceipt(outsider, "m.read", message), await post(outsider, markersUrl(), { "m.fully_read": message })]) {
      expect(response.statusCode).toBe(403);
      expect(response.json().errcode).toBe("M_FORBIDDEN");
    }
    const otherRoom = (await post(alice, "/_matrix/client/v3/createRoom", {})).json().room_id as string;
    const elsewhere = await send(alice, { msgtype: "m.text", body: "elsewhere" }, otherRoom);
    for (const response of [await sendReceipt(bob, "m.read", elsewhere), await sendReceipt(bob, "m.read", "$does-not-exist"), await post(bob, markersUrl(), { "m.read": elsewhere })]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().errcode).toBe("M_NOT_FOUND");
    }
  });

  it("an event hidden from the user by history visibility is 404", async () => {
    const room = (await post(alice, "/_matrix/client/v3/createRoom", { preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }] })).json().room_id as string;
    const hidden = await send(alice, { msgtype: "m.text", body: "before dave" }, room);
    const dave = await registerTestUser(app.http);
    await post(dave, `/_matrix/client/v3/rooms/${enc(room)}/join`);
    const response = await post(dave, receiptUrl("m.read", hidden, room));
    expect(response.statusCode).toBe(404);
    const visible = await send(alice, { msgtype: "m.text", body: "after dave" }, room);
    expect((await post(dave, receiptUrl("m.read", visible, room))).statusCode).toBe(200);
  });
});
