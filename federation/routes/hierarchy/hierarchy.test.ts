import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

type Room = { room_id: string; name?: string; children_state?: Array<{ state_key: string }>; allowed_room_ids?: unknown };

/** Spaces across two servers: B asks A for A's space over federation, and B's users see it in their own hierarchy. */
describe.each(testDrivers())("GET /hierarchy between servers (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: TestUser;
  let bob: TestUser;
  let spaceA: string;
  let publicA: string;
  let privateA: string;
  let suggestedA: string;

  const client = (peer: Peer, who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown) =>
    peer.app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });
  const createRoom = async (peer: Peer, who: TestUser, body: Record<string, unknown>) => {
    const response = await client(peer, who, "POST", "/_matrix/client/v3/createRoom", body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().room_id as string;
  };
  const link = async (peer: Peer, who: TestUser, spaceId: string, childId: string, content: Record<string, unknown>) => {
    const url = `/_matrix/client/v3/rooms/${encodeURIComponent(spaceId)}/state/m.space.child/${encodeURIComponent(childId)}`;
    expect((await client(peer, who, "PUT", url, content)).statusCode).toBe(200);
  };
  const fromB = (roomId: string, query?: Record<string, string | boolean>) => call(b, a, "GET", federationPath`/_matrix/federation/v1/hierarchy/${roomId}`, undefined, query);

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await registerTestUser(a.app.http);
    bob = await registerTestUser(b.app.http);
    spaceA = await createRoom(a, alice, { name: "A's space", preset: "public_chat", creation_content: { type: "m.space" } });
    publicA = await createRoom(a, alice, { name: "A public", preset: "public_chat" });
    privateA = await createRoom(a, alice, { name: "A private", preset: "private_chat" });
    suggestedA = await createRoom(a, alice, { name: "A suggested", preset: "public_chat" });
    await link(a, alice, spaceA, publicA, { via: [a.name], order: "1" });
    await link(a, alice, spaceA, privateA, { via: [a.name], order: "2" });
    await link(a, alice, spaceA, suggestedA, { via: [a.name], order: "3", suggested: true });
    // A child A does not hold: left out of A's answer, not called inaccessible.
    await link(a, alice, spaceA, "!elsewhere:unknown.example", { via: ["unknown.example"], order: "4" });
  });
  afterAll(() => stopPeers(a, b));

  it("A answers with the space, the children B's users could see, and the ones they could not", async () => {
    const answer = await fromB(spaceA);
    expect(answer.status).toBe(200);
    expect(answer.json.room).toMatchObject({ room_id: spaceA, name: "A's space", room_type: "m.space", join_rule: "public", num_joined_members: 1 });
    expect(answer.json.room.children_state.map((c: { state_key: string }) => c.state_key)).toEqual([publicA, privateA, suggestedA, "!elsewhere:unknown.example"]);
    expect(answer.json.children.map((c: Room) => c.room_id)).toEqual([publicA, suggestedA]);
    expect(answer.json.children[0]).toMatchObject({ name: "A public", room_version: expect.any(String), world_readable: false, guest_can_join: false });
    expect(answer.json.children[0].children_state).toBeUndefined();
    expect(answer.json.inaccessible_children).toEqual([privateA]);
  });

  it("B's client walks into A's space over federation: B's space, A's space, then A's rooms bob may see", async () => {
    // B holds nothing of A's space: every room of A below comes from A's answers.
    expect(await b.app.ctx.rooms.persister.roomMemory(spaceA)).toBeUndefined();
    const spaceB = await createRoom(b, bob, { name: "B's space", preset: "public_chat", creation_content: { type: "m.space" } });
    await link(b, bob, spaceB, spaceA, { via: [a.name] });
    const response = await client(b, bob, "GET", `/_matrix/client/v1/rooms/${encodeURIComponent(spaceB)}/hierarchy`);
    expect(response.statusCode).toBe(200);
    const json = response.json();
    expect(specErrors("GET", "/_matrix/client/v1/rooms/{roomId}/hierarchy", 200, json)).toEqual([]);
    expect(json.rooms.map((r: Room) => r.room_id)).toEqual([spaceB, spaceA, publicA, suggestedA]);
    const remoteSpace = json.rooms[1] as Room;
    expect(remoteSpace.name).toBe("A's space");
    expect(remoteSpace.children_state!.map((c) => c.state_key)).toContain(privateA);
    expect(json.rooms[2]).toMatchObject({ name: "A public", children_state: [] });
    for (const room of json.rooms as Room[]) expect(room.allowed_room_ids).toBeUndefined();

    const shallow = await client(b, bob, "GET", `/_matrix/client/v1/rooms/${encodeURIComponent(spaceB)}/hierarchy?max_depth=1`);
    expect(shallow.json().rooms.map((r: Room) => r.room_id)).toEqual([spaceB, spaceA]);
  });

  it("A keeps only suggested children with suggested_only", async () => {
    const answer = await fromB(spaceA, { suggested_only: true });
    expect(answer.json.room.children_state.map((c: { state_key: string }) => c.state_key)).toEqual([suggestedA]);
    expect(answer.json.children.map((c: Room) => c.room_id)).toEqual([suggestedA]);
  });

  it("A answers 404 M_NOT_FOUND for a room B's users could not see, or one A does not hold", async () => {
    expect(await fromB(privateA)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    expect(await fromB("!nothing:unknown.example")).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
  });

  it("A shows a private room to B once one of B's users is invited, and names a restricted room's allowed rooms", async () => {
    const invited = await createRoom(a, alice, { name: "For bob", preset: "private_chat", invite: [bob.userId] });
    const restricted = await createRoom(a, alice, {
      room_version: "10",
      preset: "private_chat",
      initial_state: [{ type: "m.room.join_rules", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: spaceA }] } }],
    });
    const space = await createRoom(a, alice, { preset: "public_chat", creation_content: { type: "m.space" } });
    await link(a, alice, space, invited, { via: [a.name] });
    await link(a, alice, space, restricted, { via: [a.name] });
    const answer = await fromB(space);
    expect(answer.json.children.map((c: Room) => c.room_id)).toEqual([invited]);
    expect(answer.json.inaccessible_children).toEqual([restricted]);
    expect((await fromB(restricted)).status).toBe(404);

    // Once bob is in the space the join rule names, B's users could join the restricted room.
    const join = await client(b, bob, "POST", `/_matrix/client/v3/join/${encodeURIComponent(spaceA)}?server_name=${encodeURIComponent(a.name)}`, {});
    expect(join.statusCode, join.body).toBe(200);
    const after = await fromB(space);
    expect(after.json.children.map((c: Room) => c.room_id)).toEqual([invited, restricted]);
    expect(after.json.children[1].allowed_room_ids).toEqual([spaceA]);
    expect(after.json.inaccessible_children).toEqual([]);
  });

  it("answers only signed requests", async () => {
    const response = await fetch(`http://${a.name}/_matrix/federation/v1/hierarchy/${encodeURIComponent(spaceA)}`);
    expect(response.status).toBe(401);
  });
});
