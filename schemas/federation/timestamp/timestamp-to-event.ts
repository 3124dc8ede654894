export { timestampToEventQuery, type TimestampToEventQuery, type TimestampToEventResponse } from "../../client/timestamp/timestamp-to-event.js";

/** GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=&dir=: the same query and answer as the client's. */
export interface FederationTimestampParams {
  roomId: string;
}
