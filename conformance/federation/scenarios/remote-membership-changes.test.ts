import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { expectMatrixError } from "../../support/matrix-error.js";
import type { ClientEvent, SyncResponse } from "../../support/sync-types.js";
import { directions, registerOn, type PeerDescription, type PeerUser } from "../support/peers.js";
import { awaitMembership, expectSameRoomOnBothServers, joinWithQuery } from "../support/room-views.js";

/** The left room's timeline, which the spec puts under rooms.leave (the SyncResponse type omits it). */
function leftTimeline(response: SyncResponse, roomId: string): ClientEvent[] {
  const left = response.rooms?.leave?.[roomId] as { timeline?: { events?: ClientEvent[] } } | undefined;
  return left?.timeline?.events ?? [];
}

/** The status and errcode of a request that must be refused; says which one when it was not. */
async function refusal(what: string, call: () => Promise<unknown>): Promise<{ status: number | undefined; errcode: string }> {
  try {
    return await expectMatrixError(call);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

/** Joins, then waits until the room's server has the join and the joiner's /sync shows the room joined. */
async function joinThrough(host: PeerDescription, user: PeerUser, owner: PeerUser, roomId: string): Promise<void> {
  await joinWithQuery(user.client, roomId, { server_name: host.serverName, via: host.serverName });
  await awaitMembership(owner, roomId, user.userId, "join");
  await awaitMembership(user, roomId, user.userId, "join");
}

/** Syncs the removed user until rooms.leave holds their membership event with `membership`, and returns it. */
async function awaitRemoval(user: PeerUser, roomId: string, membership: string): Promise<ClientEvent> {
  let found: ClientEvent | undefined;
  await user.sync.syncUntilResponse((r) => {
    found = leftTimeline(r, roomId).find((e) => e.type === "m.room.member" && e.state_key === user.userId && e.content.membership === membership);
    return found !== undefined;
  }, `${roomId} under rooms.leave of ${user.userId} with its "${membership}" membership event in the timeline`);
  return found!;
}

describe.each(directions())("leave, kick and ban of remote users ($label)", ({ host, guest }) => {
  it("a remote member leaves; a remote member is kicked: both servers see the membership change", async () => {
    const [owner, visitor] = await Promise.all([registerOn(host, "owner"), registerOn(guest, "visitor")]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat, name: "leave and kick" });
    await joinThrough(host, visitor, owner, roomId);

    await visitor.client.leave(roomId);
    await awaitMembership(owner, roomId, visitor.userId, "leave");
    const leave = await awaitRemoval(visitor, roomId, "leave");
    expect(leave.sender).toBe(visitor.userId);
    expect(Object.keys((await owner.client.getJoinedRoomMembers(roomId)).joined)).toEqual([owner.userId]);

    await joinThrough(host, visitor, owner, roomId);
    await expectSameRoomOnBothServers(owner, visitor, roomId, [owner.userId, visitor.userId]);
    await owner.client.kick(roomId, visitor.userId, "kicked across servers");
    const kick = await awaitRemoval(visitor, roomId, "leave");
    expect(kick.sender).toBe(owner.userId);
    expect(kick.content.reason).toBe("kicked across servers");
    await awaitMembership(owner, roomId, visitor.userId, "leave");
    expect(Object.keys((await owner.client.getJoinedRoomMembers(roomId)).joined)).toEqual([owner.userId]);
  });

  it("a banned remote member is removed and cannot join again until unbanned; a remote user banned before ever joining cannot join", async () => {
    const [owner, visitor, stranger] = await Promise.all([
      registerOn(host, "owner"),
      registerOn(guest, "visitor"),
      registerOn(guest, "stranger"),
    ]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat, name: "ban" });
    await joinThrough(host, visitor, owner, roomId);

    await owner.client.ban(roomId, visitor.userId, "banned across servers");
    const ban = await awaitRemoval(visitor, roomId, "ban");
    expect(ban.sender).toBe(owner.userId);
    await awaitMembership(owner, roomId, visitor.userId, "ban");

    const refused = await refusal(`the banned ${visitor.userId} joining ${roomId} again`, () =>
      joinWithQuery(visitor.client, roomId, { server_name: host.serverName }),
    );
    expect(refused).toEqual({ status: 403, errcode: "M_FORBIDDEN" });

    await owner.client.ban(roomId, stranger.userId, "pre-emptive");
    await awaitMembership(owner, roomId, stranger.userId, "ban");
    // The stranger's server left the room when the visitor was banned: its copy of the room is stale, and only
    // a join through the room's server (make_join) can learn of the ban.
    const strangerRefused = await refusal(`${stranger.userId}, banned before joining, joining ${roomId}`, () =>
      joinWithQuery(stranger.client, roomId, { server_name: host.serverName }),
    );
    expect(strangerRefused).toEqual({ status: 403, errcode: "M_FORBIDDEN" });

    await owner.client.unban(roomId, visitor.userId);
    await awaitMembership(owner, roomId, visitor.userId, "leave");
    await joinThrough(host, visitor, owner, roomId);
    await expectSameRoomOnBothServers(owner, visitor, roomId, [owner.userId, visitor.userId]);
  });
});
