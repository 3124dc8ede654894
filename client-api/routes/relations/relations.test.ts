import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";

const V1 = "/_matrix/client/v1";
const V3 = "/_matrix/client/v3";
const RELATIONS = `${V1}/rooms/{roomId}/relations/{eventId}`;

interface Event {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
  unsigned?: Record<string, any>;
}

const ids = (events: Event[]) => events.map((e) => e.event_id);
const thread = (root: string) => ({ "m.relates_to": { rel_type: "m.thread", event_id: root } });

describe.each(testDrivers())("relation routes on %s", (driver) => {
  const {
    app,
    users: [alice, bob, stranger],
  } = useTestApp(driver, { users: 3 });
  let txn = 0;

  const roomUrl = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;
  const get = (url: string, query: Record<string, string> = {}, who: TestUser = alice) => app.http.inject({ method: "GET", url, query, headers: bearer(who) });
  const relations = (roomId: string, eventId: string, rest = "", query: Record<string, string> = {}, who: TestUser = alice) =>
    get(`${V1}/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(eventId)}${rest}`, query, who);
  const threads = (roomId: string, query: Record<string, string> = {}, who: TestUser = alice) => get(`${V1}/rooms/${encodeURIComponent(roomId)}/threads`, query, who);

  async function send(who: TestUser, roomId: string, content: Record<string, unknown>, type = "m.room.message"): Promise<string> {
    const response = await app.http.inject({ method: "PUT", url: `${roomUrl(roomId)}/send/${type}/rel${txn++}`, headers: bearer(who), payload: content });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().event_id;
  }
  const text = (body: string, extra: Record<string, unknown> = {}) => ({ msgtype: "m.text", body, ...extra });

  async function createRoom(members: TestUser[] = [bob], initialState: unknown[] = []): Promise<string> {
    const created = await app.http.inject({ method: "POST", url: `${V3}/createRoom`, headers: bearer(alice), payload: { preset: "public_chat", initial_state: initialState } });
    const roomId = created.json().room_id as string;
    for (const member of members) {
      const joined = await app.http.inject({ method: "POST", url: `${V3}/join/${encodeURIComponent(roomId)}`, headers: bearer(member), payload: {} });
      expect(joined.statusCode).toBe(200);
    }
    return roomId;
  }

  async function redact(who: TestUser, roomId: string, eventId: string): Promise<void> {
    const response = await app.http.inject({ method: "PUT", url: `${roomUrl(roomId)}/redact/${encodeURIComponent(eventId)}/red${txn++}`, headers: bearer(who), payload: {} });
    expect(response.statusCode).toBe(200);
  }

  describe("GET /relations", () => {
    let roomId: string;
    let root: string;
    const replies: string[] = [];
    let reaction: string;
    let onReply: string;
    beforeAll(async () => {
      roomId = await createRoom();
      root = await send(alice, roomId, text("root"));
      for (let i = 0; i < 3; i++) replies.push(await send(i % 2 ? alice : bob, roomId, text(`reply ${i}`, thread(root))));
      reaction = await send(bob, roomId, { "m.relates_to": { rel_type: "m.annotation", event_id: root, key: "👍" } }, "m.reaction");
      // A grandchild: only reached when recursing.
      onReply = await send(alice, roomId, { "m.relates_to": { rel_type: "m.annotation", event_id: replies[0], key: "👀" } }, "m.reaction");
      // A reply (no rel_type) and a thread event in another room are not children.
      await send(bob, roomId, text("plain reply", { "m.relates_to": { "m.in_reply_to": { event_id: root } } }));
    });

    it("returns the direct children newest first, in the spec's shape", async () => {
      const response = await relations(roomId, root);
      expect(response.statusCode).toBe(200);
      expect(specErrors(RELATIONS, "GET", 200, response.json())).toEqual([]);
      expect(ids(response.json().chunk)).toEqual([reaction, ...[...replies].reverse()]);
      expect(response.json().next_batch).toBeUndefined();
      expect(response.json().recursion_depth).toBeUndefined();
    });

    it("narrows by rel_type and by rel_type and event type", async () => {
      expect(ids((await relations(roomId, root, "/m.thread")).json().chunk)).toEqual([...replies].reverse());
      expect(ids((await relations(roomId, root, "/m.annotation/m.reaction")).json().chunk)).toEqual([reaction]);
      expect(ids((await relations(roomId, root, "/m.annotation/m.room.message")).json().chunk)).toEqual([]);
      expect(specErrors(`${RELATIONS}/{relType}/{eventType}`, "GET", 200, (await relations(roomId, root, "/m.thread/m.room.message")).json())).toEqual([]);
    });

    it("pages with next_batch in both directions, and gives back from as prev_batch", async () => {
      const first = await relations(roomId, root, "/m.thread", { limit: "2" });
      expect(ids(first.json().chunk)).toEqual([replies[2], replies[1]]);
      const next = first.json().next_batch as string;
      expect(typeof next).toBe("string");
      const second = await relations(roomId, root, "/m.thread", { limit: "2", from: next });
      expect(ids(second.json().chunk)).toEqual([replies[0]]);
      expect(second.json().prev_batch).toBe(next);
      expect(second.json().next_batch).toBeUndefined();
      const forward = await relations(roomId, root, "/m.thread", { dir: "f", limit: "2" });
      expect(ids(forward.json().chunk)).toEqual([replies[0], replies[1]]);
      const rest = await relations(roomId, root, "/m.thread", { dir: "f", from: forward.json().next_batch });
      expect(ids(rest.json().chunk)).toEqual([replies[2]]);
    });

    it("recurse=true adds children of children and answers recursion_depth", async () => {
      const recursed = await relations(roomId, root, "", { recurse: "true" });
      expect(ids(recursed.json().chunk)).toEqual([onReply, reaction, ...[...replies].reverse()]);
      expect(recursed.json().recursion_depth).toBeGreaterThanOrEqual(3);
      expect(specErrors(RELATIONS, "GET", 200, recursed.json())).toEqual([]);
      const direct = await relations(roomId, root, "", { recurse: "false" });
      expect(ids(direct.json().chunk)).not.toContain(onReply);
      expect(direct.json().recursion_depth).toBe(1);
      // The filter applies to every level: the m.annotation grandchild hangs off an m.thread event.
      expect(ids((await relations(roomId, root, "/m.annotation", { recurse: "true" })).json().chunk)).toEqual([reaction]);
    });

    it("answers 403 to a user outside the room, 404 for an unknown event or one of another room", async () => {
      const forbidden = await relations(roomId, root, "", {}, stranger);
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json().errcode).toBe("M_FORBIDDEN");
      const unknown = await relations(roomId, "$unknown");
      expect(unknown.statusCode).toBe(404);
      expect(specErrors(RELATIONS, "GET", 404, unknown.json())).toEqual([]);
      expect(unknown.json().errcode).toBe("M_NOT_FOUND");
      const other = await createRoom([]);
      expect((await relations(other, root)).statusCode).toBe(404);
    });

    it("answers 400 M_INVALID_PARAM for a bad token, limit or dir", async () => {
      const queries: Record<string, string>[] = [{ from: "nonsense" }, { to: "t" }, { limit: "-1" }, { limit: "x" }, { dir: "sideways" }, { recurse: "maybe" }];
      for (const query of queries) {
        const response = await relations(roomId, root, "", query);
        expect(response.statusCode, JSON.stringify(query)).toBe(400);
        expect(response.json().errcode).toBe("M_INVALID_PARAM");
      }
    });

    it("hides the parent from a user who may not see it (404) and children they may not see", async () => {
      const joinedOnly = await createRoom([], [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }]);
      const before = await send(alice, joinedOnly, text("before bob"));
      const hiddenChild = await send(alice, joinedOnly, text("child before bob", thread(before)));
      await app.http.inject({ method: "POST", url: `${V3}/join/${encodeURIComponent(joinedOnly)}`, headers: bearer(bob), payload: {} });
      const after = await send(alice, joinedOnly, text("after bob"));
      const child = await send(alice, joinedOnly, text("child", thread(after)));
      expect((await relations(joinedOnly, before, "", {}, bob)).statusCode).toBe(404);
      expect(ids((await relations(joinedOnly, after, "", {}, bob)).json().chunk)).toEqual([child]);
      expect(ids((await relations(joinedOnly, before)).json().chunk)).toEqual([hiddenChild]);
    });

    it("leaves out a redacted child: redacting a relation breaks it", async () => {
      const parent = await send(alice, roomId, text("to be unrelated"));
      const child = await send(bob, roomId, text("soon redacted", thread(parent)));
      expect(ids((await relations(roomId, parent)).json().chunk)).toEqual([child]);
      await redact(bob, roomId, child);
      expect(ids((await relations(roomId, parent)).json().chunk)).toEqual([]);
    });

    it("stores an event whose JSON the database's json types refuse, and sees no relation in it", async () => {
      // A lone surrogate is valid in a client's JSON and kept as sent; the relation index must not make the write fail.
      const odd = await send(bob, roomId, text("\ud800", thread(root)));
      expect(odd).toMatch(/^\$/);
      expect(ids((await relations(roomId, root, "/m.thread")).json().chunk)).not.toContain(odd);
    });
  });

  describe("bundled aggregations", () => {
    let roomId: string;
    let root: string;
    let replies: string[];
    let edited: string;
    let lastEdit: string;
    let referenced: string;
    let reference: string;
    beforeAll(async () => {
      roomId = await createRoom();
      root = await send(alice, roomId, text("root"));
      replies = [await send(bob, roomId, text("one", thread(root))), await send(bob, roomId, text("two", thread(root)))];
      edited = await send(alice, roomId, text("typo"));
      const edit = (body: string) => text(`* ${body}`, { "m.new_content": text(body), "m.relates_to": { rel_type: "m.replace", event_id: edited } });
      await send(alice, roomId, edit("first fix"));
      lastEdit = await send(alice, roomId, edit("second fix"));
      // Not valid edits: another sender, or no m.new_content.
      await send(bob, roomId, edit("bob's"));
      await send(alice, roomId, text("no new content", { "m.relates_to": { rel_type: "m.replace", event_id: edited } }));
      referenced = await send(alice, roomId, text("referenced"));
      reference = await send(bob, roomId, { "m.relates_to": { rel_type: "m.reference", event_id: referenced } }, "org.example.vote");
      await send(bob, roomId, { "m.relates_to": { rel_type: "m.annotation", event_id: referenced, key: "👍" } }, "m.reaction");
    });

    const eventAs = async (eventId: string, who: TestUser = alice): Promise<Event> => {
      const response = await get(`${roomUrl(roomId)}/event/${encodeURIComponent(eventId)}`, {}, who);
      expect(response.statusCode).toBe(200);
      return response.json();
    };

    it("m.thread: the latest event, the count, and whether the reader took part (/event)", async () => {
      const asBob = (await eventAs(root, bob)).unsigned?.["m.relations"]?.["m.thread"];
      expect(asBob).toMatchObject({ count: 2, current_user_participated: true });
      expect(asBob.latest_event).toMatchObject({ event_id: replies[1], sender: bob.userId, content: { body: "two" } });
      // The root's sender took part too; a member who sent nothing did not.
      expect((await eventAs(root, alice)).unsigned?.["m.relations"]?.["m.thread"].current_user_participated).toBe(true);
      const carol = await registerTestUser(app.http);
      await app.http.inject({ method: "POST", url: `${V3}/join/${encodeURIComponent(roomId)}`, headers: bearer(carol), payload: {} });
      expect((await eventAs(root, carol)).unsigned?.["m.relations"]?.["m.thread"].current_user_participated).toBe(false);
    });

    it("m.replace: the most recent valid edit, in full; m.reference: the referencing ids; no m.annotation", async () => {
      const edit = (await eventAs(edited)).unsigned?.["m.relations"]?.["m.replace"];
      expect(edit).toMatchObject({ event_id: lastEdit, sender: alice.userId, type: "m.room.message" });
      expect(typeof edit.origin_server_ts).toBe("number");
      expect(edit.content["m.new_content"].body).toBe("second fix");
      const relationsOf = (await eventAs(referenced)).unsigned?.["m.relations"];
      expect(relationsOf).toEqual({ "m.reference": { chunk: [{ event_id: reference }] } });
    });

    it("appear in /messages, /context and limited sync timelines, checked against the spec", async () => {
      const messages = await get(`${roomUrl(roomId)}/messages`, { dir: "b", limit: "50" });
      expect(specErrors(`${V3}/rooms/{roomId}/messages`, "GET", 200, messages.json())).toEqual([]);
      const fromMessages = (messages.json().chunk as Event[]).find((e) => e.event_id === root);
      expect(fromMessages?.unsigned?.["m.relations"]?.["m.thread"].count).toBe(2);
      const context = await get(`${roomUrl(roomId)}/context/${encodeURIComponent(edited)}`, { limit: "2" });
      expect(context.json().event.unsigned["m.relations"]["m.replace"].event_id).toBe(lastEdit);
      // A timeline that reaches back to the root and no further, so it is limited.
      const upToRoot = (messages.json().chunk as Event[]).findIndex((e) => e.event_id === root) + 1;
      const filter = JSON.stringify({ room: { rooms: [roomId], timeline: { limit: upToRoot } } });
      const sync = await get(`${V3}/sync`, { filter });
      const timeline = sync.json().rooms.join[roomId].timeline as { events: Event[]; limited: boolean };
      expect(timeline.limited).toBe(true);
      expect(timeline.events.find((e) => e.event_id === root)?.unsigned?.["m.relations"]?.["m.thread"].count).toBe(2);
    });

    it("redaction: a redacted reply leaves the count, a redacted original loses its edits", async () => {
      const parent = await send(alice, roomId, text("short thread"));
      const kept = await send(bob, roomId, text("kept", thread(parent)));
      const gone = await send(bob, roomId, text("gone", thread(parent)));
      await redact(bob, roomId, gone);
      const summary = (await eventAs(parent)).unsigned?.["m.relations"]?.["m.thread"];
      expect(summary).toMatchObject({ count: 1, latest_event: { event_id: kept } });
      const original = await send(alice, roomId, text("original"));
      await send(alice, roomId, text("* new", { "m.new_content": text("new"), "m.relates_to": { rel_type: "m.replace", event_id: original } }));
      expect((await eventAs(original)).unsigned?.["m.relations"]?.["m.replace"]).toBeDefined();
      await redact(alice, roomId, original);
      expect((await eventAs(original)).unsigned?.["m.relations"]?.["m.replace"]).toBeUndefined();
    });

    it("leaves out thread events of users the reader ignores", async () => {
      const parent = await send(alice, roomId, text("ignoring"));
      await send(alice, roomId, text("mine", thread(parent)));
      await send(bob, roomId, text("bob's", thread(parent)));
      const put = await app.http.inject({
        method: "PUT",
        url: `${V3}/user/${encodeURIComponent(alice.userId)}/account_data/m.ignored_user_list`,
        headers: bearer(alice),
        payload: { ignored_users: { [bob.userId]: {} } },
      });
      expect(put.statusCode).toBe(200);
      try {
        const summary = (await eventAs(parent)).unsigned?.["m.relations"]?.["m.thread"];
        expect(summary).toMatchObject({ count: 1, latest_event: { sender: alice.userId } });
      } finally {
        await app.http.inject({ method: "PUT", url: `${V3}/user/${encodeURIComponent(alice.userId)}/account_data/m.ignored_user_list`, headers: bearer(alice), payload: { ignored_users: {} } });
      }
    });
  });

  describe("GET /threads and the related_by filters", () => {
    let roomId: string;
    let aliceRoot: string;
    let bobRoot: string;
    let quietRoot: string;
    beforeAll(async () => {
      roomId = await createRoom();
      quietRoot = await send(alice, roomId, text("no thread"));
      aliceRoot = await send(alice, roomId, text("alice's thread"));
      bobRoot = await send(bob, roomId, text("bob's thread"));
      await send(bob, roomId, text("in bob's", thread(bobRoot)));
      await send(bob, roomId, text("in alice's", thread(aliceRoot)));
    });

    it("lists thread roots by latest activity, each with its aggregation, and pages", async () => {
      const all = await threads(roomId);
      expect(all.statusCode).toBe(200);
      expect(specErrors(`${V1}/rooms/{roomId}/threads`, "GET", 200, all.json())).toEqual([]);
      expect(ids(all.json().chunk)).toEqual([aliceRoot, bobRoot]);
      expect(all.json().chunk[0].unsigned["m.relations"]["m.thread"].count).toBe(1);
      const first = await threads(roomId, { limit: "1" });
      expect(ids(first.json().chunk)).toEqual([aliceRoot]);
      const second = await threads(roomId, { limit: "1", from: first.json().next_batch });
      expect(ids(second.json().chunk)).toEqual([bobRoot]);
      const third = await threads(roomId, { limit: "1", from: second.json().next_batch });
      expect(ids(third.json().chunk)).toEqual([]);
      expect(third.json().next_batch).toBeUndefined();
    });

    it("include=participated keeps the threads the user started or replied in", async () => {
      const carol = await registerTestUser(app.http);
      await app.http.inject({ method: "POST", url: `${V3}/join/${encodeURIComponent(roomId)}`, headers: bearer(carol), payload: {} });
      expect(ids((await threads(roomId, { include: "participated" }, alice)).json().chunk)).toEqual([aliceRoot]);
      expect(ids((await threads(roomId, { include: "participated" }, bob)).json().chunk)).toEqual([aliceRoot, bobRoot]);
      expect(ids((await threads(roomId, { include: "participated" }, carol)).json().chunk)).toEqual([]);
    });

    it("answers 403 outside the room and 400 for bad parameters", async () => {
      const forbidden = await threads(roomId, {}, stranger);
      expect(forbidden.statusCode).toBe(403);
      expect(specErrors(`${V1}/rooms/{roomId}/threads`, "GET", 403, forbidden.json())).toEqual([]);
      const queries: Record<string, string>[] = [{ from: "garbage" }, { limit: "0" }, { include: "some" }];
      for (const query of queries) {
        const response = await threads(roomId, query);
        expect(response.statusCode, JSON.stringify(query)).toBe(400);
        expect(specErrors(`${V1}/rooms/{roomId}/threads`, "GET", 400, response.json())).toEqual([]);
      }
    });

    it("related_by_rel_types and related_by_senders narrow /messages and sync to events with such children", async () => {
      const messages = (filter: object) => get(`${roomUrl(roomId)}/messages`, { dir: "b", limit: "50", filter: JSON.stringify(filter) });
      expect(ids((await messages({ related_by_rel_types: ["m.thread"] })).json().chunk)).toEqual([bobRoot, aliceRoot]);
      expect(ids((await messages({ related_by_rel_types: ["m.thread"], related_by_senders: [alice.userId] })).json().chunk)).toEqual([]);
      expect(ids((await messages({ related_by_senders: [bob.userId] })).json().chunk)).toEqual([bobRoot, aliceRoot]);
      expect(ids((await messages({ related_by_rel_types: ["m.replace"] })).json().chunk)).not.toContain(quietRoot);
      const filter = JSON.stringify({ room: { rooms: [roomId], timeline: { related_by_rel_types: ["m.thread"] } } });
      const sync = await get(`${V3}/sync`, { filter });
      expect(ids(sync.json().rooms.join[roomId].timeline.events)).toEqual([aliceRoot, bobRoot]);
      const bad = await messages({ related_by_senders: "not a list" });
      expect(bad.statusCode).toBe(400);
    });
  });

  describe("duplicate annotations", () => {
    it("refuses a second reaction with the same key from one user with 400 M_DUPLICATE_ANNOTATION, until the first is redacted", async () => {
      const roomId = await createRoom();
      const target = await send(alice, roomId, text("react to me"));
      const reaction = (key: string) => ({ "m.relates_to": { rel_type: "m.annotation", event_id: target, key } });
      const put = (who: TestUser, key: string, txnId: string) =>
        app.http.inject({ method: "PUT", url: `${roomUrl(roomId)}/send/m.reaction/${txnId}`, headers: bearer(who), payload: reaction(key) });
      const first = await put(alice, "👍", "dup-1");
      expect(first.statusCode).toBe(200);
      const again = await put(alice, "👍", "dup-2");
      expect(again.statusCode).toBe(400);
      expect(again.json().errcode).toBe("M_DUPLICATE_ANNOTATION");
      // A retry of the first request is the first event, not a duplicate.
      const retried = await put(alice, "👍", "dup-1");
      expect(retried.statusCode).toBe(200);
      expect(retried.json().event_id).toBe(first.json().event_id);
      // Another key, or another user, is no duplicate.
      expect((await put(alice, "🎉", "dup-3")).statusCode).toBe(200);
      expect((await put(bob, "👍", "dup-4")).statusCode).toBe(200);
      await redact(alice, roomId, first.json().event_id);
      expect((await put(alice, "👍", "dup-5")).statusCode).toBe(200);
    });
  });

  describe("relations checked on send", () => {
    it("refuses a thread off an event that itself relates to another, and a relation to an event of another room", async () => {
      const roomId = await createRoom();
      const root = await send(alice, roomId, text("root"));
      const inThread = await send(alice, roomId, text("in thread", thread(root)));
      const nested = await app.http.inject({ method: "PUT", url: `${roomUrl(roomId)}/send/m.room.message/nest${txn++}`, headers: bearer(alice), payload: text("nested", thread(inThread)) });
      expect(nested.statusCode).toBe(400);
      expect(nested.json().errcode).toBe("M_UNKNOWN");
      const elsewhere = await createRoom();
      const across = await app.http.inject({ method: "PUT", url: `${roomUrl(elsewhere)}/send/m.room.message/across${txn++}`, headers: bearer(alice), payload: text("across", thread(root)) });
      expect(across.statusCode).toBe(400);
      // A reply inside the thread (m.in_reply_to, the same root) is fine, as is a thread off a plain event.
      await send(alice, roomId, text("reply", { "m.relates_to": { rel_type: "m.thread", event_id: root, "m.in_reply_to": { event_id: inThread } } }));
    });
  });
});
