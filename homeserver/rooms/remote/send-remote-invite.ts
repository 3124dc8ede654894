import type { IdentifiedPdu } from "../../events/pdu.js";
import { errors } from "../../errors.js";
import { computeEventId } from "../event-factory.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { RemoteMembership } from "./remote-servers.js";
import { toWirePdu } from "./federation-reads.js";
import { roomStateForInviteOrKnock } from "./stripped-state.js";

/**
 * Inviting a user of another server: their server must countersign the invite before it goes into the room
 * (spec: PUT /v2/invite), and it gets the room's stripped state so its user can see what they are invited to.
 */
export class SendRemoteInvite {
  constructor(private readonly remote: RemoteMembership) {}

  /** A persist hook that exchanges our signed invite for the countersigned one, with the same event id. */
  countersign(memory: RoomMemory, invitee: string): (pdu: IdentifiedPdu) => Promise<IdentifiedPdu> {
    const destination = invitee.slice(invitee.indexOf(":") + 1);
    return async (pdu) => {
      let signed: Record<string, unknown>;
      try {
        signed = await this.remote.invite(destination, memory.roomId, pdu.event_id, {
          event: toWirePdu(pdu, memory.version),
          room_version: memory.version.id,
          invite_room_state: roomStateForInviteOrKnock(memory),
        });
      } catch (error) {
        const status = (error as { status?: number }).status;
        const errcode = (error as { errcode?: string }).errcode;
        if (status === 403 || errcode === "M_FORBIDDEN") throw errors.forbidden(`${destination} refused the invite`);
        throw errors.unknown(`Could not reach ${destination} to invite ${invitee}: ${(error as Error).message}`, 502);
      }
      const returned = { ...(signed as unknown as IdentifiedPdu) };
      const eventId = computeEventId(returned, memory.version);
      if (eventId !== pdu.event_id || typeof returned.signatures?.[destination] !== "object") {
        throw errors.unknown(`${destination} returned a different or unsigned invite`, 502);
      }
      return { ...returned, event_id: pdu.event_id };
    };
  }
}
