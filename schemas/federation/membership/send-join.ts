import type { WirePdu } from "../pdu.js";

/**
 * PUT /_matrix/federation/v2/send_join/{roomId}/{eventId} (sendJoinV2), and the deprecated v1 whose
 * response is the same body inside `[200, body]`. The request body is the signed join event.
 */
export interface SendJoinResponse {
  origin: string;
  /** The room state before the join. */
  state: WirePdu[];
  auth_chain: WirePdu[];
  /** The join event as accepted (with our signature, for restricted joins). */
  event?: WirePdu;
  members_omitted?: boolean;
  servers_in_room?: string[];
}

export type SendJoinV1Response = [200, SendJoinResponse];

export const sendJoinQuery = {
  type: "object",
  properties: { omit_members: { type: "boolean" } },
} as const;
