import type { IdentifiedPdu, StateLookup } from "../../events/pdu.js";
import type { StateMap } from "../../storage/stores/state-store.js";
import type { TxnRef } from "../txn-id-memory.js";

export interface PersistOptions {
  senderDevice?: string;
  txnId?: string;
  /** The endpoint the txnId was sent to (txn-scopes.ts); a txnId is only remembered with its scope. */
  txnScope?: string;
  /** Runs after the event is built and authorised, before it is written (e.g. a remote countersignature). */
  beforeWrite?: (pdu: IdentifiedPdu) => Promise<IdentifiedPdu>;
}

/** The transaction id a send carries, when it has all of device, txnId and scope. */
export function txnRefOf(sender: string, options: PersistOptions): TxnRef | undefined {
  const { senderDevice, txnId, txnScope } = options;
  return senderDevice && txnId && txnScope ? { userId: sender, deviceId: senderDevice, scope: txnScope, txnId } : undefined;
}

/** The state before an event that does not simply follow the event before it (a remote event on a fork). */
export interface StateBefore {
  map: StateMap;
  /** The stored group holding `map`, when one already does. */
  group: number | null;
}

/**
 * Where an accepted event is held. Timeline events take live stream positions and reach clients; outliers
 * (fetched for auth), soft-failed and rejected events take negative positions: held, never fetched again,
 * never shown. Backfilled events take negative positions too, which order them before everything live.
 */
export type Placement =
  | {
      kind: "timeline";
      /** Absent: the event follows the one before it in the batch, or the room's current state. */
      stateBefore?: StateBefore;
    }
  | { kind: "outlier" }
  | { kind: "soft-failed"; stateBeforeGroup: number | null }
  | { kind: "rejected"; reason: string }
  /**
   * Older history fetched with /backfill: shown by /messages below everything live, never by /sync.
   * `heldAsOutlier`: we held it already (fetched for auth), and it now joins the visible history.
   */
  | { kind: "backfilled"; stateBeforeGroup: number | null; heldAsOutlier?: boolean };

/** One event ready to be written, local or remote: built or received, checked, and placed. */
export interface AcceptedEvent {
  pdu: IdentifiedPdu;
  placement: Placement;
  options?: PersistOptions;
  /** For an m.room.redaction: the state it was authorised against, which says whether it may apply. */
  authState?: StateLookup;
  /**
   * Built by this server moments ago: no one else can know its id, so no redaction can be waiting for it.
   * Saves a read on the send path.
   */
  fresh?: boolean;
}

/** How the room stands after a batch that does not simply extend it: a remote event whose state was resolved. */
export interface RoomAfter {
  currentState: ReadonlyMap<string, IdentifiedPdu>;
  extremities: string[];
}

export const timeline: Placement = { kind: "timeline" };
