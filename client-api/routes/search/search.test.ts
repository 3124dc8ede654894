import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";

const V3 = "/_matrix/client/v3";
const SEARCH = `${V3}/search`;

interface Result {
  rank: number;
  result: { event_id: string; room_id: string; sender: string; type: string; content: Record<string, unknown>; unsigned?: Record<string, unknown> };
  context?: Record<string, unknown> & { events_before: Array<{ event_id: string }>; events_after: Array<{ event_id: string }> };
}

describe.each(testDrivers())("POST /search on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });
  let counter = 0;

  /** A word no other test uses, so each test reads only its own events from the shared server. */
  const word = (name: string) => `${name}${++counter}zq${driver.slice(0, 3)}`;
  const post = (url: string, payload: unknown, who: TestUser = alice) => app.http.inject({ method: "POST", url, headers: bearer(who), payload: payload as object });
  const put = (url: string, payload: unknown, who: TestUser = alice) => app.http.inject({ method: "PUT", url, headers: bearer(who), payload: payload as object });
  const search = (criteria: Record<string, unknown>, who: TestUser = alice, nextBatch?: string) =>
    app.http.inject({
      method: "POST",
      url: SEARCH,
      query: nextBatch === undefined ? {} : { next_batch: nextBatch },
      headers: bearer(who),
      payload: { search_categories: { room_events: criteria } },
    });
  const createRoom = async (who: TestUser, body: Record<string, unknown> = {}) => {
    const response = await post(`${V3}/createRoom`, { preset: "public_chat", ...body }, who);
    expect(response.statusCode).toBe(200);
    return response.json().room_id as string;
  };
  const roomUrl = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;
  const send = async (who: TestUser, roomId: string, body: string, extra: Record<string, unknown> = {}) => {
    const response = await put(`${roomUrl(roomId)}/send/m.room.message/t${++counter}`, { msgtype: "m.text", body, ...extra }, who);
    expect(response.statusCode).toBe(200);
    return response.json().event_id as string;
  };
  const join = async (who: TestUser, roomId: string) => expect((await post(`${roomUrl(roomId)}/join`, {}, who)).statusCode).toBe(200);
  const leave = async (who: TestUser, roomId: string) => expect((await post(`${roomUrl(roomId)}/leave`, {}, who)).statusCode).toBe(200);
  const ids = (response: { json(): { search_categories: { room_events: { results: Result[] } } } }) =>
    response.json().search_categories.room_events.results.map((r) => r.result.event_id);
  const roomEvents = (response: { json(): unknown }) => (response.json() as { search_categories: { room_events: Record<string, unknown> & { results: Result[] } } }).search_categories.room_events;

  it("finds a message in a joined room, in the spec's response shape, with its rank, count and highlights", async () => {
    const roomId = await createRoom(alice);
    const term = word("martian");
    const eventId = await send(alice, roomId, `the ${term} landed`);
    await send(alice, roomId, "nothing to see");
    const response = await search({ search_term: term });
    expect(response.statusCode).toBe(200);
    expect(specErrors(SEARCH, "POST", 200, response.json())).toEqual([]);
    const found = roomEvents(response);
    expect(ids(response)).toEqual([eventId]);
    expect(found.count).toBe(1);
    expect(found.highlights).toEqual([term]);
    expect(found.results[0].rank).toBeGreaterThan(0);
    expect(found.results[0].result).toMatchObject({ room_id: roomId, sender: alice.userId, content: { body: `the ${term} landed` } });
    expect(found.results[0].result.unsigned?.membership).toBe("join");
    expect(found.results[0].context).toBeUndefined();
  });

  it("matches stemmed words and highlights them as they are written", async () => {
    const roomId = await createRoom(alice);
    const stem = word("fox");
    const eventId = await send(alice, roomId, `Quick ${stem}es jumping`);
    const response = await search({ search_term: `${stem}es jumped` });
    expect(ids(response)).toEqual([eventId]);
    expect(roomEvents(response).highlights).toEqual(expect.arrayContaining([`${stem}es`, "jumping"]));
  });

  it("does not find messages in rooms the user is not in, even world_readable ones", async () => {
    const term = word("private");
    const closed = await createRoom(bob, { preset: "private_chat" });
    await send(bob, closed, term);
    const readable = await createRoom(bob, { initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }] });
    await send(bob, readable, term);
    const response = await search({ search_term: term });
    expect(response.statusCode).toBe(200);
    expect(ids(response)).toEqual([]);
    expect(roomEvents(response).count).toBe(0);
    expect(ids(await search({ search_term: term, filter: { rooms: [closed, readable] } }))).toEqual([]);
    expect(ids(await search({ search_term: term }, bob))).toHaveLength(2);
  });

  it("under history_visibility joined finds only what was sent after the user joined", async () => {
    const roomId = await createRoom(bob, { initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }] });
    const term = word("joined");
    await send(bob, roomId, `${term} before`);
    await join(alice, roomId);
    const after = await send(bob, roomId, `${term} after`);
    const response = await search({ search_term: term });
    expect(ids(response)).toEqual([after]);
    // Under "shared" the same user sees the earlier history once joined.
    const shared = await createRoom(bob);
    const sharedTerm = word("shared");
    const before = await send(bob, shared, sharedTerm);
    await join(alice, shared);
    expect(ids(await search({ search_term: sharedTerm }))).toEqual([before]);
  });

  it("looks past newer matches the user may not see to fill a page", async () => {
    const roomId = await createRoom(bob, { initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }] });
    const term = word("refill");
    await join(alice, roomId);
    const seen = await send(bob, roomId, term);
    await leave(alice, roomId);
    // Sent while alice was away: hidden from her under "joined", though the room is searched again once she is back.
    for (let i = 0; i < 25; i++) await send(bob, roomId, `${term} ${i}`);
    await join(alice, roomId);
    const response = await search({ search_term: term, order_by: "recent", filter: { limit: 1 } });
    expect(ids(response)).toEqual([seen]);
    expect(roomEvents(response).next_batch).toBeUndefined();
    expect(ids(await search({ search_term: term, filter: { limit: 5 } }))).toEqual([seen]);
  });

  it("finds what a user saw in a room they left, nothing sent after, and nothing once they forget it", async () => {
    const roomId = await createRoom(bob);
    await join(alice, roomId);
    const term = word("departed");
    const seen = await send(bob, roomId, term);
    await leave(alice, roomId);
    await send(bob, roomId, `${term} later`);
    expect(ids(await search({ search_term: term }))).toEqual([seen]);
    expect((await post(`${roomUrl(roomId)}/forget`, {})).statusCode).toBe(200);
    expect(ids(await search({ search_term: term }))).toEqual([]);
  });

  it("does not find redacted events", async () => {
    const roomId = await createRoom(alice);
    const term = word("redacted");
    const eventId = await send(alice, roomId, term);
    expect(ids(await search({ search_term: term }))).toEqual([eventId]);
    expect((await put(`${roomUrl(roomId)}/redact/${encodeURIComponent(eventId)}/r${++counter}`, {})).statusCode).toBe(200);
    const response = await search({ search_term: term });
    expect(ids(response)).toEqual([]);
    expect(roomEvents(response).count).toBe(0);
  });

  it("searches content.name and content.topic, and only the keys asked for", async () => {
    const nameWord = word("name");
    const topicWord = word("topic");
    const roomId = await createRoom(alice, { name: `The ${nameWord} room`, topic: `About ${topicWord}` });
    const body = await send(alice, roomId, `${nameWord} ${topicWord}`);
    const name = await search({ search_term: nameWord, keys: ["content.name"] });
    expect(roomEvents(name).results.map((r) => r.result.type)).toEqual(["m.room.name"]);
    const topic = await search({ search_term: topicWord, keys: ["content.topic"] });
    expect(roomEvents(topic).results.map((r) => r.result.type)).toEqual(["m.room.topic"]);
    expect(ids(await search({ search_term: topicWord, keys: ["content.body"] }))).toEqual([body]);
    expect(ids(await search({ search_term: topicWord }))).toHaveLength(2);
    expect(ids(await search({ search_term: topicWord, keys: [] }))).toEqual([]);
  });

  it("applies the filter's rooms, not_rooms, senders, not_senders, types and contains_url", async () => {
    const term = word("filtered");
    const one = await createRoom(alice);
    const two = await createRoom(alice);
    await join(bob, two);
    const fromAlice = await send(alice, one, term);
    const fromBob = await send(bob, two, term);
    const withUrl = await send(alice, two, term, { msgtype: "m.image", url: "mxc://test.local/abc" });
    const found = async (filter: Record<string, unknown>) => new Set(ids(await search({ search_term: term, filter })));
    expect(await found({})).toEqual(new Set([fromAlice, fromBob, withUrl]));
    expect(await found({ rooms: [one] })).toEqual(new Set([fromAlice]));
    expect(await found({ not_rooms: [one] })).toEqual(new Set([fromBob, withUrl]));
    expect(await found({ senders: [bob.userId] })).toEqual(new Set([fromBob]));
    expect(await found({ not_senders: [bob.userId] })).toEqual(new Set([fromAlice, withUrl]));
    expect(await found({ contains_url: true })).toEqual(new Set([withUrl]));
    expect(await found({ types: ["m.room.*"] })).toEqual(new Set([fromAlice, fromBob, withUrl]));
    expect(await found({ not_types: ["m.room.message"] })).toEqual(new Set());
    expect(await found({ senders: [] })).toEqual(new Set());
  });

  it("order_by recent pages newest first with next_batch, every match exactly once", async () => {
    const roomId = await createRoom(alice);
    const term = word("paged");
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push(await send(alice, roomId, `${term} ${i}`));
    const seen: string[] = [];
    let nextBatch: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const response = await search({ search_term: term, order_by: "recent", filter: { limit: 3 } }, alice, nextBatch);
      expect(response.statusCode).toBe(200);
      expect(specErrors(SEARCH, "POST", 200, response.json())).toEqual([]);
      expect(roomEvents(response).count).toBe(7);
      seen.push(...ids(response));
      nextBatch = roomEvents(response).next_batch as string | undefined;
      if (!nextBatch) break;
    }
    expect(seen).toEqual([...sent].reverse());
  });

  it("order_by rank pages best match first with next_batch, every match exactly once", async () => {
    const roomId = await createRoom(alice);
    const term = word("ranked");
    const strong = await send(alice, roomId, `${term} ${term} ${term}`);
    const others: string[] = [];
    for (let i = 0; i < 4; i++) others.push(await send(alice, roomId, `${term} and some other words ${i}`));
    const first = await search({ search_term: term, filter: { limit: 2 } });
    expect(ids(first)[0]).toBe(strong);
    const ranks = roomEvents(first).results.map((r) => r.rank);
    expect(ranks[0]).toBeGreaterThan(ranks[1]);
    const seen = [...ids(first)];
    let nextBatch = roomEvents(first).next_batch as string | undefined;
    while (nextBatch) {
      const page = await search({ search_term: term, order_by: "rank", filter: { limit: 2 } }, alice, nextBatch);
      seen.push(...ids(page));
      nextBatch = roomEvents(page).next_batch as string | undefined;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set([strong, ...others]));
  });

  it("groups results by room_id and sender, and a group's next_batch stays in its group", async () => {
    const term = word("grouped");
    const one = await createRoom(alice);
    const two = await createRoom(alice);
    await join(bob, one);
    const inOne = [await send(alice, one, term), await send(bob, one, term), await send(alice, one, term)];
    const inTwo = await send(alice, two, term);
    const response = await search({ search_term: term, order_by: "recent", filter: { limit: 2 }, groupings: { group_by: [{ key: "room_id" }, { key: "sender" }] } });
    expect(specErrors(SEARCH, "POST", 200, response.json())).toEqual([]);
    const groups = roomEvents(response).groups as Record<string, Record<string, { results: string[]; order: number; next_batch?: string }>>;
    expect(ids(response)).toEqual([inTwo, inOne[2]]);
    expect(groups.room_id[two]).toMatchObject({ results: [inTwo], order: 1 });
    expect(groups.room_id[one]).toMatchObject({ results: [inOne[2]], order: 2 });
    expect(groups.sender[alice.userId].results).toEqual([inTwo, inOne[2]]);
    const inRoom = await search({ search_term: term, order_by: "recent" }, alice, groups.room_id[one].next_batch);
    expect(ids(inRoom)).toEqual([inOne[1], inOne[0]]);
    const bySender = await search({ search_term: term, order_by: "recent" }, alice, groups.sender[alice.userId].next_batch);
    expect(ids(bySender)).toEqual([inOne[0]]);
  });

  it("event_context gives the events around each result the user may see, with profiles, and include_state the room's state", async () => {
    const roomId = await createRoom(bob, { initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }] });
    const term = word("context");
    await send(bob, roomId, "hidden before the join");
    await join(alice, roomId);
    expect((await put(`${roomUrl(roomId)}/state/m.room.member/${encodeURIComponent(alice.userId)}`, { membership: "join", displayname: "Alice A" })).statusCode).toBe(200);
    const before = await send(bob, roomId, "just before");
    const hit = await send(alice, roomId, term);
    const after = [await send(bob, roomId, "after one"), await send(bob, roomId, "after two")];
    const response = await search({ search_term: term, event_context: { before_limit: 3, after_limit: 1, include_profile: true }, include_state: true });
    expect(response.statusCode).toBe(200);
    expect(specErrors(SEARCH, "POST", 200, response.json())).toEqual([]);
    const [result] = roomEvents(response).results;
    expect(result.result.event_id).toBe(hit);
    const context = result.context!;
    // Newest first before the result; the join event and the rename precede "just before", the hidden message is never shown.
    expect(context.events_before[0].event_id).toBe(before);
    expect(context.events_before).toHaveLength(3);
    expect(context.events_before.map((e) => e.event_id)).not.toContain(undefined);
    expect(JSON.stringify(context.events_before)).not.toContain("hidden before the join");
    expect(context.events_after.map((e) => e.event_id)).toEqual([after[0]]);
    expect(typeof context.start).toBe("string");
    expect(typeof context.end).toBe("string");
    expect(context.profile_info).toEqual({ [alice.userId]: { displayname: "Alice A" }, [bob.userId]: { displayname: bob.localpart } });
    const state = roomEvents(response).state as Record<string, Array<{ type: string }>>;
    expect(Object.keys(state)).toEqual([roomId]);
    expect(state[roomId].map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.member", "m.room.history_visibility"]));
    // The context's end continues forward with /messages.
    const more = await app.http.inject({ method: "GET", url: `${roomUrl(roomId)}/messages`, query: { dir: "f", from: context.end as string }, headers: bearer(alice) });
    expect(more.json().chunk.map((e: { event_id: string }) => e.event_id)).toEqual([after[1]]);
  });

  it("bundles a result's aggregations (its latest edit, its thread) as every read path does", async () => {
    const roomId = await createRoom(alice);
    const term = word("bundled");
    const original = await send(alice, roomId, `the ${term} original`);
    const edit = await send(alice, roomId, "* edited", { "m.new_content": { msgtype: "m.text", body: "edited" }, "m.relates_to": { rel_type: "m.replace", event_id: original } });
    const reply = await send(alice, roomId, "in a thread", { "m.relates_to": { rel_type: "m.thread", event_id: original } });
    const response = await search({ search_term: term });
    expect(response.statusCode).toBe(200);
    const [result] = roomEvents(response).results;
    expect(result.result.event_id).toBe(original);
    const relations = (result.result as { unsigned?: Record<string, any> }).unsigned?.["m.relations"];
    expect(relations?.["m.replace"]?.event_id).toBe(edit);
    expect(relations?.["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: reply } });
  });

  it("answers an empty or stop-word-only term with no results", async () => {
    for (const term of ["", "the", "   "]) {
      const response = await search({ search_term: term });
      expect(response.statusCode).toBe(200);
      expect(roomEvents(response)).toMatchObject({ results: [], count: 0, highlights: [] });
    }
  });

  it("takes websearch syntax and odd input without a server error", async () => {
    const roomId = await createRoom(alice);
    const a = word("alpha");
    const b = word("beta");
    const both = await send(alice, roomId, `${a} ${b}`);
    const onlyA = await send(alice, roomId, `${a} alone`);
    expect(new Set(ids(await search({ search_term: `${a} -${b}` })))).toEqual(new Set([onlyA]));
    expect(new Set(ids(await search({ search_term: `"${a} ${b}"` })))).toEqual(new Set([both]));
    expect(new Set(ids(await search({ search_term: `${b} or alone` })))).toEqual(new Set([both, onlyA]));
    for (const odd of ["&|!():*<->'\\", '"unclosed', "日本語 テスト", "\ud800", "a".repeat(4096), "'; DROP TABLE events; --"]) {
      const response = await search({ search_term: odd });
      expect(response.statusCode).toBe(200);
    }
  });

  it("indexes a message whose body holds a lone surrogate without refusing it", async () => {
    const roomId = await createRoom(alice);
    const term = word("surrogate");
    await send(alice, roomId, `${term} \ud800 broken`);
    const fine = await send(alice, roomId, `${term} fine`);
    expect(ids(await search({ search_term: term }))).toContain(fine);
  });

  it("refuses malformed requests with the spec's 400 errors and requires an access token", async () => {
    const bad = async (payload: unknown, errcode: string, query: Record<string, string> = {}) => {
      const response = await app.http.inject({ method: "POST", url: SEARCH, query, headers: bearer(alice), payload: payload as object });
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe(errcode);
      expect(specErrors(SEARCH, "POST", 400, response.json())).toEqual([]);
    };
    await bad({}, "M_BAD_JSON");
    await bad({ search_categories: {} }, "M_BAD_JSON");
    await bad({ search_categories: { messages: { search_term: "x" } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: {} } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: 1 } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x", order_by: "oldest" } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x", keys: ["content.url"] } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x", groupings: { group_by: [{ key: "type" }] } } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x", filter: { senders: "nope" } } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x", event_context: { before_limit: -1 } } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x".repeat(4097) } } }, "M_BAD_JSON");
    await bad({ search_categories: { room_events: { search_term: "x\u0000" } } }, "M_BAD_JSON");
    for (const token of ["nonsense", "!!!", Buffer.from('{"o":"rank"}').toString("base64url"), Buffer.from("[1]").toString("base64url"), "x".repeat(5000)]) {
      await bad({ search_categories: { room_events: { search_term: "x" } } }, "M_INVALID_PARAM", { next_batch: token });
    }
    // A recent-ordered token does not continue a rank-ordered search.
    const roomId = await createRoom(alice);
    const term = word("mismatch");
    for (let i = 0; i < 3; i++) await send(alice, roomId, term);
    const recent = await search({ search_term: term, order_by: "recent", filter: { limit: 1 } });
    await bad({ search_categories: { room_events: { search_term: term } } }, "M_INVALID_PARAM", { next_batch: roomEvents(recent).next_batch as string });
    const anonymous = await app.http.inject({ method: "POST", url: SEARCH, payload: { search_categories: { room_events: { search_term: "x" } } } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().errcode).toBe("M_MISSING_TOKEN");
  });

  it("is served under r0 too", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/r0/search", headers: bearer(alice), payload: { search_categories: { room_events: { search_term: "anything" } } } });
    expect(response.statusCode).toBe(200);
  });
});
