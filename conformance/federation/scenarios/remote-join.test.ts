import { randomBytes } from "node:crypto";
import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { sendText } from "../../support/send-text.js";
import { directions, registerOn, type PeerUser } from "../support/peers.js";
import { awaitMembership, expectSameRoomOnBothServers, joinWithQuery } from "../support/room-views.js";

/** After a remote join: members and state agree on both servers, and a message goes each way. */
async function expectWorkingRoom(owner: PeerUser, visitor: PeerUser, roomId: string): Promise<void> {
  await awaitMembership(owner, roomId, visitor.userId, "join");
  await visitor.sync.syncUntil(
    () => visitor.sync.timeline(roomId).length > 0,
    () => `${roomId} never appeared under rooms.join in the joiner's /sync`,
  );
  await expectSameRoomOnBothServers(owner, visitor, roomId, [owner.userId, visitor.userId]);

  const fromVisitor = await sendText(visitor.client, roomId, "hello from the joining server");
  await owner.sync.syncUntilSeen([fromVisitor]);
  const fromOwner = await sendText(owner.client, roomId, "hello from the room's server");
  await visitor.sync.syncUntilSeen([fromOwner]);
  expect(owner.sync.duplicates).toEqual([]);
  expect(visitor.sync.duplicates).toEqual([]);
}

describe.each(directions())("remote join ($label)", ({ host, guest }) => {
  it("a user joins by an alias of the room's server: the joining server resolves it over federation and joins", async () => {
    const [owner, visitor] = await Promise.all([registerOn(host, "owner"), registerOn(guest, "visitor")]);
    const aliasName = `fed-${randomBytes(4).toString("hex")}`;
    const { room_id: roomId } = await owner.client.createRoom({
      preset: Preset.PublicChat,
      room_alias_name: aliasName,
      name: "joined by alias",
    });
    const alias = `#${aliasName}:${host.serverName}`;

    // GET /directory/room/{alias} on the joining server needs GET /_matrix/federation/v1/query/directory.
    const resolved = await visitor.client.getRoomIdForAlias(alias);
    expect(resolved.room_id).toBe(roomId);
    expect(resolved.servers).toContain(host.serverName);

    const joined = await visitor.client.joinRoom(alias);
    expect(joined.roomId).toBe(roomId);
    await expectWorkingRoom(owner, visitor, roomId);
  });

  it("a user joins by room ID with ?server_name= naming the room's server", async () => {
    const [owner, visitor] = await Promise.all([registerOn(host, "owner"), registerOn(guest, "visitor")]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat, name: "joined by id, server_name" });
    expect(await joinWithQuery(visitor.client, roomId, { server_name: host.serverName })).toBe(roomId);
    await expectWorkingRoom(owner, visitor, roomId);
  });

  it("a user joins by room ID with ?via= naming the room's server", async () => {
    const [owner, visitor] = await Promise.all([registerOn(host, "owner"), registerOn(guest, "visitor")]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat, name: "joined by id, via" });
    expect(await joinWithQuery(visitor.client, roomId, { via: host.serverName })).toBe(roomId);
    await expectWorkingRoom(owner, visitor, roomId);
  });
});
