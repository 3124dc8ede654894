import { randomBytes } from "node:crypto";
import { KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitForRoom } from "../support/full-client.js";

/** Polls the directory: servers may index membership and profile changes shortly after they happen. */
async function searchUntil(user: TestUser, term: string, done: (ids: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { results } = await user.client.searchUserDirectory({ term });
    const ids = results.map((r) => r.user_id);
    if (done(ids)) return ids;
    if (Date.now() > deadline) throw new Error(`${what}: the directory answered ${JSON.stringify(results)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the user directory", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a full client finds a room peer by display name and starts a direct chat with them, as Element's 'Start chat' does", async () => {
    const [alice, bob] = await registerUsers(2, "directory-dm");
    const word = `Quokka${randomBytes(4).toString("hex")}`;
    await bob.client.setDisplayName(`${word} Jones`);
    const { room_id: lobby } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await bob.client.joinRoom(lobby);
    const [aliceClient, bobClient] = await Promise.all([startFullClient(alice), startFullClient(bob)]);
    started.push(aliceClient, bobClient);

    const deadline = Date.now() + 15_000;
    let found: Array<{ user_id: string; display_name?: string }> = [];
    while (!found.some((r) => r.user_id === bob.userId) && Date.now() < deadline) {
      found = (await aliceClient.searchUserDirectory({ term: word.toLowerCase(), limit: 10 })).results;
      if (!found.some((r) => r.user_id === bob.userId)) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found).toEqual([expect.objectContaining({ user_id: bob.userId, display_name: `${word} Jones` })]);

    const { room_id: dm } = await aliceClient.createRoom({ preset: Preset.TrustedPrivateChat, is_direct: true, invite: [bob.userId] });
    const invited = await waitForRoom(bobClient, dm, (room) => room.getMyMembership() === KnownMembership.Invite);
    expect(invited.getMember(bob.userId)?.events.member?.getContent().is_direct).toBe(true);
    expect(invited.getDMInviter()).toBe(alice.userId);
  });

  it("finds a user who shares a private room by a word of their display name, and a stranger does not", async () => {
    const [alice, bob, carol] = await registerUsers(3, "directory");
    const word = `Zephyr${randomBytes(4).toString("hex")}`;
    await bob.client.setDisplayName(`${word} Quill`);
    const { room_id: roomId } = await alice.client.createRoom({ preset: Preset.PrivateChat, invite: [bob.userId] });
    await bob.client.joinRoom(roomId);

    // Case does not matter, and a prefix of a word is enough.
    const found = await searchUntil(alice, word.slice(0, 9).toLowerCase(), (ids) => ids.includes(bob.userId), "alice searching for bob");
    expect(found).toEqual([bob.userId]);
    const { results } = await alice.client.searchUserDirectory({ term: `${word} qu` });
    expect(results).toEqual([expect.objectContaining({ user_id: bob.userId, display_name: `${word} Quill` })]);

    // Carol shares no room with bob, and bob is in no public room.
    const byStranger = await carol.client.searchUserDirectory({ term: word });
    expect(byStranger.results.map((r) => r.user_id)).not.toContain(bob.userId);
  });

  it("finds the members of a public room for anyone, and honours limit", async () => {
    const [owner, searcher, ...members] = await registerUsers(5, "dirpublic");
    const word = `Quasar${randomBytes(4).toString("hex")}`;
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat });
    for (const [i, member] of members.entries()) {
      await member.client.setDisplayName(`${word} ${i}`);
      await member.client.joinRoom(roomId);
    }
    await searchUntil(searcher, word, (ids) => ids.length === members.length, "the public room's members");
    const limited = await searcher.client.searchUserDirectory({ term: word, limit: 2 });
    expect(limited.results).toHaveLength(2);
    expect(limited.limited).toBe(true);
  });
});
