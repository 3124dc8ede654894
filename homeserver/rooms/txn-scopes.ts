/**
 * What a client's transaction id is scoped to besides its device: the endpoint and its path parameters, as
 * the spec says ("the same transaction ID for the same endpoint") and as Synapse keys its transaction cache
 * (on the request path). Parts are joined by U+001F, which no id or event type holds, so scopes cannot run
 * into each other. The migration 20261203T0900-txn-id-scope writes the same form in SQL.
 */
const SEPARATOR = "\u001f";

export const txnScopes = {
  /** PUT /rooms/{roomId}/send/{eventType}/{txnId} */
  send: (roomId: string, eventType: string) => ["send", roomId, eventType].join(SEPARATOR),
  /** PUT /rooms/{roomId}/redact/{eventId}/{txnId} */
  redact: (roomId: string, eventId: string) => ["redact", roomId, eventId].join(SEPARATOR),
};
