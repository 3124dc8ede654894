import type { WirePdu } from "../pdu.js";

/** GET /_matrix/federation/v1/event_auth/{roomId}/{eventId} (getEventAuth). */
export interface GetEventAuthResponse {
  auth_chain: WirePdu[];
}
