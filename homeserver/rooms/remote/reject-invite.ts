import type { CoreContext } from "../../core/core-context.js";
import { errors, isMatrixError } from "../../errors.js";
import type { JsonObject } from "../../events/pdu.js";
import { getRoomVersion } from "../../events/room-versions.js";
import type { Requester } from "../../users/requester.js";
import { completeTemplate } from "./complete-template.js";
import { toWirePdu } from "./federation-reads.js";
import type { ReceiveInvite } from "./receive-invite.js";
import type { RemoteMembership } from "./remote-servers.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

/**
 * Rejects an invite into a room no user of ours is in (spec: "Leaving Rooms (Rejecting Invites)"): the
 * leave is made and sent through the inviting server with make_leave / send_leave, then recorded in place
 * of the pending invite so the invitee's /sync moves the room to `leave`.
 */
export class RejectRemoteInvite {
  constructor(
    private readonly core: CoreContext,
    private readonly remote: RemoteMembership,
    private readonly invites: ReceiveInvite,
  ) {}

  /** True when `userId` has a pending invite into `roomId` (one this class can reject). */
  async hasPendingInvite(userId: string, roomId: string): Promise<boolean> {
    return (await this.invitesOf(userId, roomId)).length > 0;
  }

  async reject(requester: Requester, roomId: string, reason?: string): Promise<string> {
    const invites = await this.invitesOf(requester.userId, roomId);
    if (invites.length === 0) throw errors.forbidden("You are not invited to this room");
    const server = serverOf(invites.at(-1)!.pdu.sender);
    let leave;
    try {
      leave = await this.leaveThrough(server, requester.userId, roomId, reason);
    } catch (error) {
      if (isMatrixError(error)) throw error;
      throw errors.unknown(`Could not reject the invite through ${server}: ${(error as Error).message}`, 502);
    }
    await this.invites.recordRejection(invites, leave);
    return leave.event_id;
  }

  private async leaveThrough(server: string, userId: string, roomId: string, reason: string | undefined) {
    const template = await this.remote.makeLeave(server, roomId, userId);
    const version = getRoomVersion(template.roomVersion);
    if (!version) throw errors.unsupportedRoomVersion(template.roomVersion);
    const content: JsonObject = { membership: "leave" };
    if (reason !== undefined) content.reason = reason;
    const leave = completeTemplate(template.event, version, this.core.serverName, this.core.signingKey, this.core.clock.now(), content);
    if (leave.room_id !== roomId || leave.sender !== userId || leave.state_key !== userId || leave.type !== "m.room.member") {
      throw errors.unknown("The inviting server's leave template is not for this user and room", 502);
    }
    await this.remote.sendLeave(server, roomId, leave.event_id, toWirePdu(leave, version));
    return leave;
  }

  private async invitesOf(userId: string, roomId: string) {
    return (await this.invites.pending(roomId)).filter((row) => row.pdu.state_key === userId && row.pdu.content.membership === "invite");
  }
}
