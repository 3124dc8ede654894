import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const SEARCH = "/_matrix/client/v3/user_directory/search";

interface SearchReply {
  results: Array<{ user_id: string; display_name?: string; avatar_url?: string }>;
  limited: boolean;
}

/** A word no other test's users carry, so searches in one shared database see only this test's users. */
const uniqueWord = (prefix: string) => `${prefix}${randomBytes(4).toString("hex")}`;

describe.each(testDrivers())("POST /user_directory/search on %s", (driver) => {
  const { app } = useTestApp(driver);

  const search = async (who: TestUser, body: unknown) => {
    const response = await app.http.inject({ method: "POST", url: SEARCH, headers: bearer(who), payload: body as object });
    return response;
  };
  const found = async (who: TestUser, term: string, limit?: number): Promise<SearchReply> => {
    const response = await search(who, limit === undefined ? { search_term: term } : { search_term: term, limit });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/user_directory/search", 200, response.json())).toEqual([]);
    return response.json() as SearchReply;
  };
  const ids = (reply: SearchReply) => reply.results.map((r) => r.user_id);

  const user = async (localpart?: string) => registerTestUser(app.http, localpart ? { localpart } : {});
  const setName = async (who: TestUser, name: string) => {
    const response = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/profile/${encodeURIComponent(who.userId)}/displayname`,
      headers: bearer(who),
      payload: { displayname: name },
    });
    expect(response.statusCode).toBe(200);
  };
  const createRoom = async (who: TestUser, body: Record<string, unknown>) => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(who), payload: body });
    expect(response.statusCode).toBe(200);
    return (response.json() as { room_id: string }).room_id;
  };
  const join = async (who: TestUser, roomId: string) => {
    const response = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, headers: bearer(who), payload: {} });
    expect(response.statusCode).toBe(200);
  };
  const leave = async (who: TestUser, roomId: string) => {
    const response = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`, headers: bearer(who), payload: {} });
    expect(response.statusCode).toBe(200);
  };
  /** A private room the two share: `owner` invites `guest`, who joins. */
  const sharePrivateRoom = async (owner: TestUser, other: TestUser) => {
    const roomId = await createRoom(owner, { preset: "private_chat", invite: [other.userId] });
    await join(other, roomId);
    return roomId;
  };

  it("finds a user who shares a private room, by id or display name, case-insensitively, prefix of a word", async () => {
    const word = uniqueWord("alice");
    const searcher = await user();
    const alice = await user(word);
    await setName(alice, `Wonder ${word.toUpperCase()} Liddell`);
    await sharePrivateRoom(searcher, alice);

    expect(ids(await found(searcher, word))).toEqual([alice.userId]);
    expect(ids(await found(searcher, word.slice(0, 8).toUpperCase()))).toEqual([alice.userId]);
    expect(ids(await found(searcher, `${word} lid`))).toEqual([alice.userId]);
    expect(ids(await found(searcher, `@${word}:test.local`))).toEqual([alice.userId]);
    // Words must start where a word starts: the middle of one is no match.
    expect(ids(await found(searcher, word.slice(3)))).toEqual([]);
    expect(ids(await found(searcher, `${word} nobodyhere`))).toEqual([]);
    const [entry] = (await found(searcher, word)).results;
    expect(entry).toEqual({ user_id: alice.userId, display_name: `Wonder ${word.toUpperCase()} Liddell` });
  });

  it("does not find a user who shares no room and is in no public room", async () => {
    const word = uniqueWord("hidden");
    const searcher = await user();
    const loner = await user(word);
    const other = await user();
    await sharePrivateRoom(loner, other); // private, and the searcher is not in it
    expect(ids(await found(searcher, word))).toEqual([]);
    expect(ids(await found(other, word))).toEqual([loner.userId]);
  });

  it("finds the members of public and world-readable rooms, and stops finding them once they leave", async () => {
    const word = uniqueWord("pub");
    const searcher = await user();
    const inPublic = await user(`${word}-a`);
    const inReadable = await user(`${word}-b`);
    const publicRoom = await createRoom(inPublic, { preset: "public_chat" });
    await createRoom(inReadable, { preset: "private_chat", initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }] });
    expect(ids(await found(searcher, word)).sort()).toEqual([inPublic.userId, inReadable.userId].sort());

    await leave(inPublic, publicRoom);
    expect(ids(await found(searcher, word))).toEqual([inReadable.userId]);
  });

  it("follows profile changes: the new display name is found and the old one is not", async () => {
    const before = uniqueWord("before");
    const after = uniqueWord("after");
    const searcher = await user();
    const bob = await user();
    await setName(bob, before);
    await sharePrivateRoom(searcher, bob);
    expect(ids(await found(searcher, before))).toEqual([bob.userId]);
    await setName(bob, after);
    expect(ids(await found(searcher, before))).toEqual([]);
    expect((await found(searcher, after)).results).toEqual([{ user_id: bob.userId, display_name: after }]);
  });

  it("never lists a deactivated user", async () => {
    const word = uniqueWord("gone");
    const searcher = await user();
    const gone = await user(word);
    await createRoom(gone, { preset: "public_chat" });
    await sharePrivateRoom(searcher, gone);
    expect(ids(await found(searcher, word))).toEqual([gone.userId]);
    const deactivate = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/account/deactivate",
      headers: bearer(gone),
      payload: { auth: passwordAuth(gone) },
    });
    expect(deactivate.statusCode).toBe(200);
    expect(ids(await found(searcher, word))).toEqual([]);
  });

  it("returns at most `limit` results (10 by default) and says when it cut the list", async () => {
    const word = uniqueWord("many");
    const owner = await user();
    const roomId = await createRoom(owner, { preset: "public_chat" });
    const members: TestUser[] = [];
    for (let i = 0; i < 11; i++) members.push(await user(`${word}-${i}`));
    for (const member of members) await join(member, roomId);

    const byDefault = await found(owner, word);
    expect(byDefault.results).toHaveLength(10);
    expect(byDefault.limited).toBe(true);
    const three = await found(owner, word, 3);
    expect(three.results).toHaveLength(3);
    expect(three.limited).toBe(true);
    const all = await found(owner, word, 50);
    expect(all.results).toHaveLength(11);
    expect(all.limited).toBe(false);
    expect(new Set(ids(all))).toEqual(new Set(members.map((m) => m.userId)));
  });

  it("ranks users who share a room with the searcher first", async () => {
    const word = uniqueWord("rank");
    const searcher = await user();
    const stranger = await user(`${word}-a`);
    const friend = await user(`${word}-b`);
    await createRoom(stranger, { preset: "public_chat" });
    await sharePrivateRoom(searcher, friend);
    expect(ids(await found(searcher, word))).toEqual([friend.userId, stranger.userId]);
  });

  it("answers a term with no words with no results", async () => {
    const searcher = await user();
    expect(await found(searcher, "")).toEqual({ results: [], limited: false });
    expect(await found(searcher, " @:!.. ")).toEqual({ results: [], limited: false });
  });

  it("takes long and odd terms without error", async () => {
    const searcher = await user();
    const long = await found(searcher, `${"a".repeat(10_000)} ${"b ".repeat(500)} [(*+?\\ .^$ ' " ; -- é Ω 中文 😀`);
    expect(long.results).toEqual([]);
    expect(await found(searcher, "x", -5)).toEqual({ results: [], limited: false });
    expect((await found(searcher, "x", 1e15)).limited).toBe(false);
  });

  it("rejects a request without search_term, or with a limit that is not an integer, with 400", async () => {
    const searcher = await user();
    for (const body of [{}, { search_term: 5 }, { search_term: "a", limit: "ten" }, { search_term: "a", limit: 1.5 }]) {
      const response = await search(searcher, body);
      expect(response.statusCode).toBe(400);
      expect(["M_BAD_JSON", "M_MISSING_PARAM", "M_INVALID_PARAM"]).toContain(response.json().errcode);
    }
  });

  it("requires an access token", async () => {
    const response = await app.http.inject({ method: "POST", url: SEARCH, payload: { search_term: "a" } });
    expect(response.statusCode).toBe(401);
    expect(response.json().errcode).toBe("M_MISSING_TOKEN");
  });
});

describe.each(testDrivers())("POST /user_directory/search with user_directory.search_all_users on %s", (driver) => {
  const { app } = useTestApp(driver, { config: { user_directory: { search_all_users: true } } });

  it("finds every local user, even one in no room, but still no deactivated one", async () => {
    const word = uniqueWord("everyone");
    const searcher = await registerTestUser(app.http);
    const loner = await registerTestUser(app.http, { localpart: `${word}-a` });
    const gone = await registerTestUser(app.http, { localpart: `${word}-b` });
    await app.http.inject({ method: "POST", url: "/_matrix/client/v3/account/deactivate", headers: bearer(gone), payload: { auth: passwordAuth(gone) } });
    const response = await app.http.inject({ method: "POST", url: SEARCH, headers: bearer(searcher), payload: { search_term: word } });
    expect(response.statusCode).toBe(200);
    expect((response.json() as SearchReply).results.map((r) => r.user_id)).toEqual([loner.userId]);
  });
});
