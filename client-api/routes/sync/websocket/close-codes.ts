/**
 * Close codes of the sync WebSocket. The 4xxx codes mirror the HTTP status a long-poll would have answered,
 * so a client can treat them alike; the error message sent just before the close carries the Matrix errcode.
 */
export const CLOSE = {
  /** The server is shutting down or restarting: reconnect with the last acknowledged token. */
  goingAway: 1001,
  /** A bug on our side: reconnect with backoff. */
  internalError: 1011,
  /** The first message was missing, malformed, or named a bad filter or since token. Do not retry it unchanged. */
  badRequest: 4400,
  /** The access token is no longer valid (logged out, expired: see soft_logout). Refresh or log in again. */
  unknownToken: 4401,
  /** No `sync` message arrived in time after the upgrade. */
  firstMessageTimeout: 4408,
} as const;
