import type { WirePdu } from "../pdu.js";

/** GET /_matrix/federation/v1/state/{roomId}?event_id= (getRoomState): takes the query of get-state-ids.ts. */
export interface GetStateResponse {
  pdus: WirePdu[];
  auth_chain: WirePdu[];
}
