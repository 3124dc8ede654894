import { randomBytes } from "node:crypto";
import { Preset, SearchOrderBy, type MatrixClient } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFullClient, stopFullClient } from "../support/full-client.js";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { sendText } from "../support/send-text.js";

/**
 * POST /search as a client drives it. Servers rank differently (Synapse on sqlite uses FTS4, Myelin
 * PostgreSQL's text search), so the tests assert which events are found, never their order. The body asks
 * for no profiles or groups: Synapse sends null avatar_url in profile_info and a float group order, which
 * the spec's schema (checked on every response) refuses.
 */
describe("server-side search", () => {
  let alice: TestUser;
  let bob: TestUser;
  let aliceClient: MatrixClient;
  /** One word no other run has sent, so only this file's events can match. */
  const term = `quokka${randomBytes(5).toString("hex")}`;
  const sent: Record<string, string> = {};

  const found = async (order: SearchOrderBy = SearchOrderBy.Recent) => {
    const response = await aliceClient.search({
      body: { search_categories: { room_events: { search_term: term, order_by: order, filter: { limit: 50 } } } },
    });
    return new Set((response.search_categories.room_events.results ?? []).map((r) => r.result.event_id));
  };

  beforeAll(async () => {
    [alice, bob] = (await registerUsers(2, "search")) as [TestUser, TestUser];
    aliceClient = await startFullClient(alice);

    const { room_id: joined } = await aliceClient.createRoom({ preset: Preset.PublicChat, name: "search: joined" });
    sent.joined = await sendText(aliceClient, joined, `a ${term} in a room alice is in`);

    const { room_id: closed } = await bob.client.createRoom({ preset: Preset.PrivateChat, name: "search: not joined" });
    sent.closed = await sendText(bob.client, closed, `a ${term} in a room alice is not in`);

    const { room_id: late } = await bob.client.createRoom({
      preset: Preset.PublicChat,
      name: "search: joined late",
      initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }],
    });
    sent.beforeJoin = await sendText(bob.client, late, `a ${term} sent before alice joined`);
    await aliceClient.joinRoom(late);
    sent.afterJoin = await sendText(bob.client, late, `a ${term} sent after alice joined`);
  });

  afterAll(() => {
    if (aliceClient) stopFullClient(aliceClient);
  });

  it("finds a message in a room the user is in", async () => {
    expect((await found()).has(sent.joined!)).toBe(true);
  });

  it("does not find a message in a room the user is not in", async () => {
    expect((await found()).has(sent.closed!)).toBe(false);
  });

  it("under history_visibility joined, finds what was sent after the user joined and not what came before", async () => {
    const results = await found();
    expect(results.has(sent.afterJoin!)).toBe(true);
    expect(results.has(sent.beforeJoin!)).toBe(false);
  });

  it("finds exactly those, ordered by rank as by recency", async () => {
    const expected = new Set([sent.joined, sent.afterJoin]);
    expect(await found(SearchOrderBy.Rank)).toEqual(expected);
    expect(await found(SearchOrderBy.Recent)).toEqual(expected);
    // The room's other member finds all three of the rooms they are in.
    const bobs = await bob.client.search({ body: { search_categories: { room_events: { search_term: term } } } });
    expect(new Set((bobs.search_categories.room_events.results ?? []).map((r) => r.result.event_id))).toEqual(new Set([sent.closed, sent.beforeJoin, sent.afterJoin]));
  });
});
