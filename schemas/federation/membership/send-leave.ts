/**
 * PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId} (sendLeaveV2): an empty object; the deprecated
 * v1 answers `[200, {}]`. The request body is the signed leave event.
 */
export type SendLeaveResponse = Record<string, never>;
export type SendLeaveV1Response = [200, SendLeaveResponse];
