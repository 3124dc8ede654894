/** GET /_matrix/federation/v1/state_ids/{roomId}?event_id= (getRoomStateIds): the state before the event. */
export interface GetStateIdsResponse {
  pdu_ids: string[];
  auth_chain_ids: string[];
}

export const stateAtEventQuery = {
  type: "object",
  required: ["event_id"],
  properties: { event_id: { type: "string", minLength: 1 } },
} as const;

export interface StateAtEventQuery {
  event_id: string;
}
