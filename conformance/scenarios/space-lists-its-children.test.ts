import { KnownMembership, Preset, Visibility, type MatrixClient } from "matrix-js-sdk";
import { RoomHierarchy } from "matrix-js-sdk/lib/room-hierarchy.js";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitForRoom } from "../support/full-client.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

describe("a space and its children", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a full client joins a space, loads its rooms as Element's space home does (RoomHierarchy) and joins one of them", async () => {
    const [alice, bob] = await registerUsers(2, "space-client");
    const via = [serverOf(alice.userId)];
    const space = (await alice.client.createRoom({ name: "Client space", preset: Preset.PublicChat, creation_content: { type: "m.space" } })).room_id;
    const general = (await alice.client.createRoom({ name: "General", preset: Preset.PublicChat })).room_id;
    await alice.client.sendStateEvent(space, "m.space.child" as never, { via } as never, general);
    await alice.client.sendStateEvent(general, "m.space.parent" as never, { via, canonical: true } as never, space);

    const client = await startFullClient(bob);
    started.push(client);
    await client.joinRoom(space);
    const spaceRoom = await waitForRoom(client, space, (room) => room.getMyMembership() === KnownMembership.Join);
    expect(spaceRoom.isSpaceRoom()).toBe(true);
    const hierarchy = new RoomHierarchy(spaceRoom, 50);
    const rooms = await hierarchy.load();
    expect(rooms.map((r) => r.room_id)).toEqual([space, general]);
    expect(hierarchy.canLoadMore).toBe(false);
    expect([...(hierarchy.viaMap.get(general) ?? [])]).toEqual(via);
    await client.joinRoom(general, { viaServers: via });
    const joined = await waitForRoom(client, general, (room) => room.getMyMembership() === KnownMembership.Join);
    expect(joined.currentState.getStateEvents("m.space.parent", space)?.getContent()).toMatchObject({ canonical: true });
  });

  it("GET /hierarchy lists the space, its sub-space's rooms depth first, and leaves out a room the user may not join", async () => {
    const [alice, bob] = await registerUsers(2, "space");
    const via = [serverOf(alice.userId)];
    const createSpace = async (name: string) =>
      (await alice.client.createRoom({ name, preset: Preset.PublicChat, visibility: Visibility.Private, creation_content: { type: "m.space" } })).room_id;
    const space = await createSpace("Conformance space");
    const subSpace = await createSpace("Sub-space");
    const lobby = (await alice.client.createRoom({ name: "Lobby", preset: Preset.PublicChat })).room_id;
    const nested = (await alice.client.createRoom({ name: "Nested", preset: Preset.PublicChat })).room_id;
    const staff = (await alice.client.createRoom({ name: "Staff only", preset: Preset.PrivateChat })).room_id;
    await alice.client.sendStateEvent(space, "m.space.child" as never, { via, order: "a", suggested: true } as never, subSpace);
    await alice.client.sendStateEvent(space, "m.space.child" as never, { via, order: "b" } as never, lobby);
    await alice.client.sendStateEvent(space, "m.space.child" as never, { via, order: "c" } as never, staff);
    await alice.client.sendStateEvent(subSpace, "m.space.child" as never, { via } as never, nested);

    const forAlice = await alice.client.getRoomHierarchy(space);
    expect(forAlice.rooms.map((r) => r.room_id)).toEqual([space, subSpace, nested, lobby, staff]);
    const top = forAlice.rooms[0];
    expect(top.room_type).toBe("m.space");
    expect(top.name).toBe("Conformance space");
    expect(top.children_state.map((c) => c.state_key)).toEqual([subSpace, lobby, staff]);
    expect(top.children_state[0]).toMatchObject({ type: "m.space.child", sender: alice.userId, content: { via, order: "a", suggested: true } });
    expect(typeof top.children_state[0].origin_server_ts).toBe("number");

    // Bob is in none of them: the invite-only room is not shown to him, the public ones are.
    const forBob = await bob.client.getRoomHierarchy(space);
    expect(forBob.rooms.map((r) => r.room_id)).toEqual([space, subSpace, nested, lobby]);
    expect(forBob.rooms.find((r) => r.room_id === lobby)).toMatchObject({ name: "Lobby", join_rule: "public", num_joined_members: 1 });

    // Paginated, suggested only, and bounded by depth.
    const firstPage = await bob.client.getRoomHierarchy(space, 2);
    expect(firstPage.rooms.map((r) => r.room_id)).toEqual([space, subSpace]);
    expect(firstPage.next_batch).toBeTruthy();
    const secondPage = await bob.client.getRoomHierarchy(space, 2, undefined, false, firstPage.next_batch);
    expect(secondPage.rooms.map((r) => r.room_id)).toEqual([nested, lobby]);
    const suggested = await bob.client.getRoomHierarchy(space, undefined, undefined, true);
    // The sub-space's own child is not marked suggested.
    expect(suggested.rooms.map((r) => r.room_id)).toEqual([space, subSpace]);
    const shallow = await bob.client.getRoomHierarchy(space, undefined, 1);
    expect(shallow.rooms.map((r) => r.room_id)).toEqual([space, subSpace, lobby]);
  });

  it("refuses the hierarchy of a private space to a user outside it with 403 M_FORBIDDEN", async () => {
    const [alice, bob] = await registerUsers(2, "space-private");
    const space = (await alice.client.createRoom({ preset: Preset.PrivateChat, creation_content: { type: "m.space" } })).room_id;
    await expect(bob.client.getRoomHierarchy(space)).rejects.toMatchObject({ httpStatus: 403, errcode: "M_FORBIDDEN" });
  });
});
