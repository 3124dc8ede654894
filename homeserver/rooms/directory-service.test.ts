import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import type { Requester } from "../users/requester.js";
import { DirectoryService } from "./directory-service.js";
import type { DirectoryRemote } from "./directory-remote.js";

let counter = 0;
const user = (name: string, isAdmin = false): Requester => ({ userId: `@${name}${++counter}:test.local`, deviceId: "DEV", isAdmin, tokenHash: "" });
const uniqueAlias = (name: string) => `#${name}-${randomBytes(4).toString("hex")}:test.local`;

describe.each(testDrivers())("room directory service on %s", (driver) => {
  const { app } = useTestApp(driver);
  let directory: DirectoryService;
  beforeAll(async () => {
    // A directory without federation: these tests cover this server's own aliases and list.
    directory = new DirectoryService(app.ctx, app.ctx.rooms.persister, app.ctx.stores, app.ctx.rooms.service);
  });

  const publicRoom = (creator: Requester, extra: Record<string, unknown> = {}) =>
    app.ctx.rooms.service.createRoom(creator, { preset: "public_chat", ...extra });
  const canonicalAlias = async (roomId: string) => (await app.ctx.rooms.persister.roomMemory(roomId))!.stateEvent("m.room.canonical_alias")?.content;

  describe("aliases", () => {
    it("maps a new alias to the room and resolves it with this server listed first", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      const alias = uniqueAlias("map");
      await directory.createAlias(alice, alias, roomId);
      expect(await directory.resolveAlias(alias)).toEqual({ room_id: roomId, servers: ["test.local"] });
    });

    it("answers 409 when the alias is already taken, and leaves the first mapping in place", async () => {
      const alice = user("alice");
      const first = await publicRoom(alice);
      const second = await publicRoom(alice);
      const alias = uniqueAlias("taken");
      await directory.createAlias(alice, alias, first);
      await expect(directory.createAlias(alice, alias, second)).rejects.toMatchObject({ status: 409 });
      expect((await directory.resolveAlias(alias)).room_id).toBe(first);
    });

    it("refuses aliases on other servers and malformed aliases with 400 M_INVALID_PARAM", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      for (const alias of ["#x:elsewhere.org", "no-sigil:test.local", "#no-server", "#with space:test.local"]) {
        await expect(directory.createAlias(alice, alias, roomId)).rejects.toMatchObject({ errcode: "M_INVALID_PARAM", status: 400 });
      }
    });

    it("lets only members of the room (or server admins) create an alias for it", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      await expect(directory.createAlias(user("mallory"), uniqueAlias("m"), roomId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
      const alias = uniqueAlias("admin");
      await directory.createAlias(user("root", true), alias, roomId);
      expect((await directory.resolveAlias(alias)).room_id).toBe(roomId);
    });

    it("refuses an alias for a room the server does not know with 400", async () => {
      await expect(directory.createAlias(user("alice", true), uniqueAlias("ghost"), "!nowhere:test.local")).rejects.toMatchObject({ status: 400 });
    });

    it("answers 404 M_NOT_FOUND for an unknown alias, and 400 M_INVALID_PARAM for a malformed one", async () => {
      await expect(directory.resolveAlias(uniqueAlias("unknown"))).rejects.toMatchObject({ errcode: "M_NOT_FOUND", status: 404 });
      await expect(directory.resolveAlias("#bad")).rejects.toMatchObject({ errcode: "M_INVALID_PARAM", status: 400 });
    });

    it("asks the alias's own server about remote aliases, and finds none without federation", async () => {
      await expect(directory.resolveAlias("#room:remote.example")).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
      const asked: string[] = [];
      const remote: DirectoryRemote = {
        queryAlias: async (server, alias) => (asked.push(`${server} ${alias}`), { room_id: "!r:remote.example", servers: ["remote.example"] }),
        publicRooms: async () => ({ chunk: [] }),
      };
      const federated = new DirectoryService(app.ctx, app.ctx.rooms.persister, app.ctx.stores, app.ctx.rooms.service, remote);
      expect(await federated.resolveAlias("#room:remote.example")).toEqual({ room_id: "!r:remote.example", servers: ["remote.example"] });
      expect(asked).toEqual(["remote.example #room:remote.example"]);
    });

    it("lists the servers of joined members after this one", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join({ ...user("remote"), userId: `@visitor${counter}:other.example` }, roomId);
      const alias = uniqueAlias("servers");
      await directory.createAlias(alice, alias, roomId);
      expect((await directory.resolveAlias(alias)).servers).toEqual(["test.local", "other.example"]);
    });
  });

  describe("deleting aliases", () => {
    it("lets the alias's creator delete it even without power in the room", async () => {
      const alice = user("alice");
      const bob = user("bob");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      const alias = uniqueAlias("bobs");
      await directory.createAlias(bob, alias, roomId);
      await directory.deleteAlias(bob, alias);
      await expect(directory.resolveAlias(alias)).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
    });

    it("refuses another member without power to send m.room.canonical_alias with 403", async () => {
      const alice = user("alice");
      const bob = user("bob");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      const alias = uniqueAlias("alices");
      await directory.createAlias(alice, alias, roomId);
      await expect(directory.deleteAlias(bob, alias)).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
      expect((await directory.resolveAlias(alias)).room_id).toBe(roomId);
    });

    it("lets a room moderator or a server admin delete someone else's alias", async () => {
      const alice = user("alice");
      const bob = user("bob");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      const bobs = uniqueAlias("bobs");
      await directory.createAlias(bob, bobs, roomId);
      await directory.deleteAlias(alice, bobs);
      const another = uniqueAlias("bobs2");
      await directory.createAlias(bob, another, roomId);
      await directory.deleteAlias(user("root", true), another);
      await expect(directory.resolveAlias(another)).rejects.toMatchObject({ status: 404 });
    });

    it("answers 404 M_NOT_FOUND for an alias that does not exist", async () => {
      await expect(directory.deleteAlias(user("alice"), uniqueAlias("none"))).rejects.toMatchObject({ errcode: "M_NOT_FOUND", status: 404 });
    });

    it("removes the deleted alias from m.room.canonical_alias, both alias and alt_aliases", async () => {
      const alice = user("alice");
      const name = `canon-${randomBytes(4).toString("hex")}`;
      const roomId = await publicRoom(alice, { room_alias_name: name });
      const main = `#${name}:test.local`;
      const alt = uniqueAlias("alt");
      const kept = uniqueAlias("kept");
      await directory.createAlias(alice, alt, roomId);
      await directory.createAlias(alice, kept, roomId);
      await app.ctx.rooms.service.sendState(alice, roomId, "m.room.canonical_alias", "", { alias: main, alt_aliases: [alt, kept] });
      await directory.deleteAlias(alice, alt);
      expect(await canonicalAlias(roomId)).toEqual({ alias: main, alt_aliases: [kept] });
      await directory.deleteAlias(alice, kept);
      await directory.deleteAlias(alice, main);
      expect(await canonicalAlias(roomId)).toEqual({});
    });

    it("still deletes the alias when the user may not update m.room.canonical_alias", async () => {
      const alice = user("alice");
      const bob = user("bob");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      const alias = uniqueAlias("bobcanon");
      await directory.createAlias(bob, alias, roomId);
      await app.ctx.rooms.service.sendState(alice, roomId, "m.room.canonical_alias", "", { alias });
      await directory.deleteAlias(bob, alias);
      await expect(directory.resolveAlias(alias)).rejects.toMatchObject({ status: 404 });
      expect(await canonicalAlias(roomId)).toEqual({ alias });
    });
  });

  describe("local aliases of a room", () => {
    it("are listed for members and refused to non-members with 403 M_FORBIDDEN", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      const alias = uniqueAlias("local");
      await directory.createAlias(alice, alias, roomId);
      expect(await directory.localAliases(alice, roomId)).toEqual([alias]);
      await expect(directory.localAliases(user("mallory"), roomId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
      expect(await directory.localAliases(user("root", true), roomId)).toEqual([alias]);
    });

    it("are listed to anyone when the room is world-readable", async () => {
      const alice = user("alice");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.sendState(alice, roomId, "m.room.history_visibility", "", { history_visibility: "world_readable" });
      expect(await directory.localAliases(user("stranger"), roomId)).toEqual([]);
    });
  });

  describe("directory visibility", () => {
    it("is private for a new room, public for one created with visibility public, and 404 for an unknown room", async () => {
      const alice = user("alice");
      expect(await directory.visibility(await app.ctx.rooms.service.createRoom(alice, {}))).toBe("private");
      expect(await directory.visibility(await publicRoom(alice, { visibility: "public" }))).toBe("public");
      await expect(directory.visibility("!unknown:test.local")).rejects.toMatchObject({ errcode: "M_NOT_FOUND", status: 404 });
    });

    it("is changed by a member with power over the canonical alias, and refused to others with 403", async () => {
      const alice = user("alice");
      const bob = user("bob");
      const roomId = await publicRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      await directory.setVisibility(alice, roomId, "public");
      expect(await directory.visibility(roomId)).toBe("public");
      await expect(directory.setVisibility(bob, roomId, "private")).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
      await expect(directory.setVisibility(user("mallory"), roomId, "private")).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
      await directory.setVisibility(user("root", true), roomId, "private");
      expect(await directory.visibility(roomId)).toBe("private");
      await expect(directory.setVisibility(alice, "!unknown:test.local", "public")).rejects.toMatchObject({ status: 404 });
    });
  });

  describe("public room list", () => {
    /** Rooms tagged with a fresh word in their names, so a search isolates them from the other tests' rooms. */
    const taggedRooms = async (tag: string, sizes: number[]) => {
      const created: string[] = [];
      for (const [index, size] of sizes.entries()) {
        const creator = user("owner");
        const roomId = await publicRoom(creator, { visibility: "public", name: `${tag} room ${index}` });
        for (let i = 1; i < size; i++) await app.ctx.rooms.service.join(user("member"), roomId);
        created.push(roomId);
      }
      return created;
    };
    const search = (tag: string, limit?: number, since?: string) => directory.publicRooms({ limit, since, filter: { generic_search_term: tag } });

    it("orders published rooms by joined members, largest first, and counts them", async () => {
      const tag = `order${randomBytes(3).toString("hex")}`;
      const [small, large, medium] = await taggedRooms(tag, [1, 3, 2]);
      const result = await search(tag.toUpperCase());
      expect(result.chunk.map((r) => [r.room_id, r.num_joined_members])).toEqual([[large, 3], [medium, 2], [small, 1]]);
      expect(result.total_room_count_estimate).toBe(3);
      expect(result.next_batch).toBeUndefined();
      expect(result.prev_batch).toBeUndefined();
    });

    it("pages with next_batch and prev_batch without skipping or repeating a room", async () => {
      const tag = `pages${randomBytes(3).toString("hex")}`;
      const rooms = await taggedRooms(tag, [1, 1, 1, 1, 1]);
      const first = await search(tag, 2);
      const second = await search(tag, 2, first.next_batch);
      const third = await search(tag, 2, second.next_batch);
      const seen = [...first.chunk, ...second.chunk, ...third.chunk].map((r) => r.room_id);
      expect([...seen].sort()).toEqual([...rooms].sort());
      expect(third.next_batch).toBeUndefined();
      expect((await search(tag, 2, third.prev_batch)).chunk).toEqual(second.chunk);
      await expect(search(tag, 2, "garbage")).rejects.toMatchObject({ errcode: "M_INVALID_PARAM" });
    });

    it("describes each room from its state: name, topic, alias, avatar, join rule, type, readability, guests", async () => {
      const alice = user("alice");
      const tag = `fields${randomBytes(3).toString("hex")}`;
      const roomId = await publicRoom(alice, {
        visibility: "public",
        name: `${tag} Lounge`,
        topic: "All about it",
        room_alias_name: tag,
        creation_content: { type: "m.space" },
        initial_state: [
          { type: "m.room.avatar", content: { url: "mxc://test.local/abc" } },
          { type: "m.room.guest_access", content: { guest_access: "can_join" } },
          { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
        ],
      });
      expect((await search(tag)).chunk).toEqual([
        {
          room_id: roomId,
          name: `${tag} Lounge`,
          topic: "All about it",
          canonical_alias: `#${tag}:test.local`,
          num_joined_members: 1,
          world_readable: true,
          guest_can_join: true,
          avatar_url: "mxc://test.local/abc",
          join_rule: "public",
          room_type: "m.space",
        },
      ]);
      expect((await directory.publicRooms({ filter: { generic_search_term: tag, room_types: [null] } })).chunk).toEqual([]);
      expect((await directory.publicRooms({ filter: { generic_search_term: tag, room_types: ["m.space"] } })).chunk).toHaveLength(1);
    });

    it("leaves out unpublished rooms and published rooms a stranger could neither join nor read", async () => {
      const alice = user("alice");
      const tag = `hidden${randomBytes(3).toString("hex")}`;
      const unpublished = await publicRoom(alice, { name: `${tag} a` });
      const inviteOnly = await app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", name: `${tag} b` });
      await directory.setVisibility(alice, inviteOnly, "public");
      expect((await search(tag)).chunk).toEqual([]);
      await directory.setVisibility(alice, unpublished, "public");
      expect((await search(tag)).chunk.map((r) => r.room_id)).toEqual([unpublished]);
    });

    it("lists every published room without a filter, and refuses another server's list without federation", async () => {
      const tag = `all${randomBytes(3).toString("hex")}`;
      const [roomId] = await taggedRooms(tag, [1]);
      const ids: string[] = [];
      let since: string | undefined;
      do {
        const page = await directory.publicRooms({ limit: 3, since });
        ids.push(...page.chunk.map((r) => r.room_id));
        since = page.next_batch;
      } while (since);
      expect(ids).toContain(roomId);
      expect(new Set(ids).size).toBe(ids.length);
      expect((await directory.publicRooms({}, "test.local")).chunk.length).toBeGreaterThan(0);
      await expect(directory.publicRooms({}, "elsewhere.example")).rejects.toMatchObject({ status: 400 });
    });
  });
});
