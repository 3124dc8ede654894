import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { sendText } from "../../support/send-text.js";
import type { SyncResponse } from "../../support/sync-types.js";
import { directions, registerOn } from "../support/peers.js";
import { awaitMembership, expectSameRoomOnBothServers, stateSummary } from "../support/room-views.js";

const invited = (roomId: string) => (r: SyncResponse) => r.rooms?.invite?.[roomId] !== undefined;

describe.each(directions())("invites across servers ($label)", ({ host, guest }) => {
  it("an invite reaches the remote invitee's /sync with the room's stripped state, and rejecting it shows as a leave on the room's server", async () => {
    const [owner, invitee] = await Promise.all([registerOn(host, "inviter"), registerOn(guest, "invitee")]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PrivateChat, name: "invite to be rejected" });

    // The room's server sends PUT /_matrix/federation/v2/invite to the invitee's server, which signs the event.
    await owner.client.invite(roomId, invitee.userId);
    await awaitMembership(owner, roomId, invitee.userId, "invite");
    const withInvite = await invitee.sync.syncUntilResponse(invited(roomId), `${roomId} under rooms.invite of the remote invitee`);
    const strippedState = withInvite.rooms!.invite![roomId]!.invite_state?.events ?? [];
    expect(strippedState.find((e) => e.type === "m.room.name")?.content.name).toBe("invite to be rejected");

    // Rejecting: the invitee's server is not in the room, so it must leave through the room's server
    // (make_leave / send_leave).
    await invitee.client.leave(roomId);
    await awaitMembership(owner, roomId, invitee.userId, "leave");
    await invitee.sync.syncUntilResponse(
      (r) => r.rooms?.leave?.[roomId] !== undefined,
      `${roomId} under rooms.leave of the invitee after rejecting`,
    );
    const membership = await owner.client.getStateEvent(roomId, "m.room.member", invitee.userId);
    expect(membership.membership).toBe("leave");
    expect((await owner.client.getJoinedRoomMembers(roomId)).joined).not.toHaveProperty(invitee.userId);
  });

  it("the remote invitee accepts by joining the room ID alone; both servers then agree on members and state, and messages flow both ways", async () => {
    const [owner, invitee] = await Promise.all([registerOn(host, "inviter"), registerOn(guest, "invitee")]);
    const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PrivateChat, name: "invite to be accepted" });
    await owner.client.invite(roomId, invitee.userId);
    await invitee.sync.syncUntilResponse(invited(roomId), `${roomId} under rooms.invite of the remote invitee`);

    // No server named: the invitee's server must join through the server the invite came from.
    await invitee.client.joinRoom(roomId);
    await awaitMembership(owner, roomId, invitee.userId, "join");
    const state = await expectSameRoomOnBothServers(owner, invitee, roomId, [owner.userId, invitee.userId]);
    expect(state.some((entry) => entry.startsWith(`m.room.member|${invitee.userId} `))).toBe(true);

    const fromInvitee = await sendText(invitee.client, roomId, "thanks for the invite");
    await owner.sync.syncUntilSeen([fromInvitee]);
    const fromOwner = await sendText(owner.client, roomId, "welcome");
    await invitee.sync.syncUntilSeen([fromOwner]);
    expect(owner.sync.duplicates).toEqual([]);
    expect(invitee.sync.duplicates).toEqual([]);
    expect(await stateSummary(invitee.client, roomId)).toEqual(await stateSummary(owner.client, roomId));
  });
});
