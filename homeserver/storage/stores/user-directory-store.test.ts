import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { UserDirectoryStore } from "./user-directory-store.js";
import { UserStore } from "./user-store.js";

let nextPos = 1_000_000;

describe.each(testDrivers())("user directory store on %s", (driver) => {
  let test: TestDatabase;
  let directory: UserDirectoryStore;
  let users: UserStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    directory = new UserDirectoryStore(test.database.db);
    users = new UserStore(test.database.db);
  });
  afterAll(() => test.dispose());

  /** A state event as the persist pipeline leaves it: the event row and the current-state entry. */
  async function putState(roomId: string, type: string, stateKey: string, content: Record<string, unknown> | string) {
    const pos = nextPos++;
    const eventId = `$e${pos}-${randomBytes(3).toString("hex")}`;
    const json = typeof content === "string" ? content : JSON.stringify({ type, state_key: stateKey, room_id: roomId, sender: stateKey || "@x:x", content });
    const membership = type === "m.room.member" ? (JSON.parse(json.replace(/\\u0000/g, "")) as { content: { membership: string } }).content.membership : null;
    await test.database.db
      .insertInto("events")
      .values({ stream_pos: pos, event_id: eventId, room_id: roomId, room_seq: pos, type, state_key: stateKey, sender: stateKey || "@x:x", depth: 1, origin_server_ts: 1, membership, json, unsigned_json: null, sender_device: null, txn_id: null, redacted_by: null, rejected_reason: null, state_group_before: null, state_group_after: null })
      .execute();
    await test.database.db
      .insertInto("current_state")
      .values({ room_id: roomId, type, state_key: stateKey, event_id: eventId, membership, stream_pos: pos })
      .onConflict((oc) => oc.columns(["room_id", "type", "state_key"]).doUpdateSet({ event_id: eventId, membership, stream_pos: pos }))
      .execute();
  }

  const search = (searcher: string, words: string[]) => directory.search({ searcher, words, term: words.join(" "), allLocalUsers: false, limit: 10 });

  it("gives a remote member the profile of their newest join, and none from a member event holding \\u0000", async () => {
    const word = `remote${randomBytes(4).toString("hex")}`;
    const room = `!r${word}:elsewhere`;
    await putState(room, "m.room.join_rules", "", { join_rule: "public" });
    const named = `@named-${word}:elsewhere`;
    await putState(room, "m.room.member", named, { membership: "join", displayname: `Old ${word}` });
    await putState(room, "m.room.member", named, { membership: "join", displayname: `Newer ${word}`, avatar_url: "mxc://elsewhere/a" });
    const odd = `@odd-${word}:elsewhere`;
    await putState(room, "m.room.member", odd, `{"type":"m.room.member","state_key":"${odd}","content":{"membership":"join","displayname":"bad\\u0000name"}}`);
    const numeric = `@num-${word}:elsewhere`;
    await putState(room, "m.room.member", numeric, { membership: "join", displayname: 42 });

    const found = await search("@someone:test", [word]);
    expect(found).toEqual(
      expect.arrayContaining([
        { userId: named, displayName: `Newer ${word}`, avatarUrl: "mxc://elsewhere/a" },
        { userId: odd, displayName: null, avatarUrl: null },
        { userId: numeric, displayName: null, avatarUrl: null },
      ]),
    );
    expect(found).toHaveLength(3);
    expect(await search("@someone:test", ["old", word])).toEqual([]);
  });

  it("does not count a room as public from a join rule that merely contains the word", async () => {
    const word = `knock${randomBytes(4).toString("hex")}`;
    const room = `!k${word}:elsewhere`;
    await putState(room, "m.room.join_rules", "", { join_rule: "knock", note: "public" });
    await putState(room, "m.room.member", `@${word}:elsewhere`, { membership: "join" });
    expect(await search("@someone:test", [word])).toEqual([]);
  });

  it("leaves out a local user once deactivated, though still joined", async () => {
    const word = `local${randomBytes(4).toString("hex")}`;
    const userId = `@${word}:test`;
    await test.database.transaction((tx) => users.insert(tx, { userId, localpart: word, passwordHash: null, createdTs: 1, isAdmin: false, displayname: "Local" }));
    const room = `!l${word}:test`;
    await putState(room, "m.room.join_rules", "", { join_rule: "public" });
    await putState(room, "m.room.member", userId, { membership: "join", displayname: "Room nick" });
    // A local user carries the global profile, not a per-room name.
    expect(await search("@someone:test", [word])).toEqual([{ userId, displayName: "Local", avatarUrl: null }]);
    await test.database.transaction((tx) => users.markDeactivated(tx, userId, false));
    expect(await search("@someone:test", [word])).toEqual([]);
  });
});
