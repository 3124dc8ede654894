/**
 * The persistent data unit as it travels and is stored. Fields differ by room version
 * (event_id present on the wire only for v1/v2; room_id absent on a v12 m.room.create),
 * so the optional markers below are deliberate. Ask `roomVersions` for what applies.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** v1/v2 reference other events as [event_id, {sha256: hash}] pairs; v3+ as bare ids. */
export type EventReference = string | [string, { sha256?: string }];

export interface Pdu {
  /** Present on the wire only for room versions 1 and 2; otherwise derived from the reference hash. */
  event_id?: string;
  room_id?: string;
  sender: string;
  type: string;
  state_key?: string;
  content: JsonObject;
  origin_server_ts: number;
  prev_events: EventReference[];
  auth_events: EventReference[];
  depth: number;
  hashes?: { sha256: string };
  signatures?: Record<string, Record<string, string>>;
  unsigned?: JsonObject;
  /** Top-level in room versions 1 to 10; moved into content in v11. */
  redacts?: string;
  origin?: string;
  [key: string]: unknown;
}

/** A PDU together with the id we know it by (computed or, for v1/v2, carried). */
export interface IdentifiedPdu extends Pdu {
  event_id: string;
}

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

/** Read access to a state map keyed by (type, state_key), as auth rules and state resolution need. */
export interface StateLookup {
  get(type: string, stateKey: string): IdentifiedPdu | undefined;
}

export function referenceIds(refs: EventReference[]): string[] {
  return refs.map((r) => (typeof r === "string" ? r : r[0]));
}
