import type { WirePdu } from "../pdu.js";

/** PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId} (sendKnock). The request body is the signed knock. */
export interface SendKnockResponse {
  /** The room's descriptive state as PDUs (m.room.create first); clients get it stripped. */
  knock_room_state: WirePdu[];
}
