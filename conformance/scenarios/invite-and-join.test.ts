import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { SyncFollower } from "../support/sync-follower.js";
import type { ClientEvent, SyncResponse } from "../support/sync-types.js";

function memberships(events: ClientEvent[], userId: string): string[] {
  return events
    .filter((e) => e.type === "m.room.member" && e.state_key === userId)
    .map((e) => String(e.content.membership));
}

function joinedRoomEvents(response: SyncResponse, roomId: string): ClientEvent[] {
  const room = response.rooms?.join?.[roomId];
  return [...(room?.state?.events ?? []), ...(room?.timeline?.events ?? [])];
}

describe("inviting a user to a room and the user joining", () => {
  it("the invitee sees the invite in /sync, joins, and both members see the join in /sync and /joined_members", async () => {
    const [alice, bob] = await registerUsers(2, "invite");
    const aliceSync = new SyncFollower(alice.client);
    const bobSync = new SyncFollower(bob.client);
    await Promise.all([aliceSync.sync(), bobSync.sync()]);

    const { room_id: roomId } = await alice.client.createRoom({ preset: Preset.PrivateChat, name: "invite and join" });
    await alice.client.invite(roomId, bob.userId);

    const withInvite = await bobSync.syncUntilResponse(
      (r) => r.rooms?.invite?.[roomId] !== undefined,
      `${roomId} under rooms.invite for the invitee`,
    );
    const inviteState = withInvite.rooms!.invite![roomId]!.invite_state?.events ?? [];
    // Stripped state lets the invitee see what it is invited to; the room's name was set at creation.
    expect(inviteState.find((e) => e.type === "m.room.name")?.content.name).toBe("invite and join");

    await bob.client.joinRoom(roomId);

    const bobJoined = await bobSync.syncUntilResponse(
      (r) => memberships(joinedRoomEvents(r, roomId), bob.userId).includes("join"),
      `${roomId} under rooms.join with the invitee's join`,
    );
    expect(bobJoined.rooms?.invite?.[roomId]).toBeUndefined();
    // A newly joined room comes with its state: the inviter's membership must be in it.
    expect(memberships(joinedRoomEvents(bobJoined, roomId), alice.userId)).toContain("join");

    await aliceSync.syncUntil(
      () => memberships(aliceSync.timeline(roomId), bob.userId).includes("join"),
      () => `the inviter's timeline lacks the invitee's join (has ${memberships(aliceSync.timeline(roomId), bob.userId)})`,
    );
    // The inviter's timeline holds the invite and then the join, each once.
    expect(memberships(aliceSync.timeline(roomId), bob.userId)).toEqual(["invite", "join"]);
    expect(aliceSync.duplicates).toEqual([]);
    expect(bobSync.duplicates).toEqual([]);

    for (const member of [alice, bob]) {
      const { joined } = await member.client.getJoinedRoomMembers(roomId);
      expect(Object.keys(joined).sort()).toEqual([alice.userId, bob.userId].sort());
    }
  });
});
