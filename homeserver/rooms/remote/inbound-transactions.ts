import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { jsonInputProblem, MAX_JSON_DEPTH, textParamProblem } from "../../json-limits.js";
import type { Pdu } from "../../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../../events/room-versions.js";
import { InboundTxnsStore } from "../../storage/stores/inbound-txns-store.js";
import { computeEventId } from "../event-factory.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import type { ServerAcls } from "./server-acl.js";

/** A transaction as the route hands it over: the JSON Schema has checked the envelope, not the PDUs. */
export interface InboundTransaction {
  origin: string;
  origin_server_ts: number;
  pdus: unknown[];
  edus?: unknown[];
}

/** The spec's response: one entry per PDU, keyed by event id; `{}` means handled. */
export interface TransactionResult {
  pdus: Record<string, { error?: string }>;
}

interface PduResult {
  eventId?: string;
  error?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Event ids of PDUs for rooms we do not hold are computed with the rules of the newest room version. */
const GUESS_VERSION = getRoomVersion("12")!;
const KEEP_TRANSACTIONS_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Where a transaction's EDUs go (the EDU services' dispatcher, wired by app/): rooms never import edus/. */
export interface InboundEdus {
  dispatch(origin: string, edus: readonly unknown[]): Promise<void>;
}

/**
 * PUT /send/{txnId}: the PDUs and EDUs another server pushes to us. A transaction is processed once per
 * (origin, txnId): a retry gets the stored response, and a retry that arrives while the first attempt is
 * still running waits for it. PDUs of one room are taken in order; rooms run side by side. A PDU that
 * fails never fails the transaction: it gets an error in the response instead.
 */
export class InboundTransactions {
  private readonly store: InboundTxnsStore;
  private readonly inFlight = new Map<string, Promise<TransactionResult>>();
  private lastPrune = 0;

  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly ingest: RemoteEventIngest,
    private readonly acls: ServerAcls,
    private readonly edus: InboundEdus,
  ) {
    this.store = stores.inboundTxns;
  }

  async receive(origin: string, txnId: string, transaction: InboundTransaction): Promise<TransactionResult> {
    const key = `${origin}\u0000${txnId}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = (async () => {
      const stored = await this.store.get(origin, txnId);
      if (stored !== undefined) {
        this.core.logger.debug({ origin, txnId }, "repeated federation transaction; answering as before");
        return stored as TransactionResult;
      }
      const result = await this.process(origin, txnId, transaction);
      await this.store.put(origin, txnId, result, this.core.clock.now());
      this.pruneNowAndThen();
      return result;
    })();
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async process(origin: string, txnId: string, transaction: InboundTransaction): Promise<TransactionResult> {
    if (transaction.origin !== origin) {
      // The signature is what we trust; the body's field is informational.
      this.core.logger.debug({ origin, claimed: transaction.origin, txnId }, "transaction body names another origin");
    }

    this.core.logger.debug({ origin, txnId, pdus: transaction.pdus.length }, "received transaction");
    // One queue per room, in the order the PDUs came; rooms proceed concurrently.
    const byRoom = new Map<string, unknown[]>();
    const results: PduResult[] = [];
    for (const raw of transaction.pdus) {
      // The body was parsed leniently (homeserver/app/http/json-body.ts) so that one such PDU is refused alone.
      const problem = jsonInputProblem(raw, { maxDepth: MAX_JSON_DEPTH + 1 });
      if (problem) {
        results.push(this.refused(origin, txnId, raw, undefined, `PDU refused: ${problem}`));
        continue;
      }
      const roomId = isObject(raw) && typeof raw.room_id === "string" ? raw.room_id : undefined;
      if (roomId === undefined) {
        results.push(this.refused(origin, txnId, raw, undefined, "PDU is not an object with a room_id"));
        continue;
      }
      const queue = byRoom.get(roomId);
      if (queue) queue.push(raw);
      else byRoom.set(roomId, [raw]);
    }
    // EDUs go alongside the PDUs: a receipt for an event in this transaction is fine to store first.
    await Promise.all([
      ...[...byRoom].map(async ([roomId, pdus]) => {
        for (const raw of pdus) results.push(await this.receivePdu(origin, txnId, roomId, raw as Record<string, unknown>));
      }),
      this.edus.dispatch(origin, (Array.isArray(transaction.edus) ? transaction.edus : []).filter((edu) => !this.eduProblem(origin, txnId, edu))),
    ]);

    const response: TransactionResult = { pdus: {} };
    for (const result of results) {
      if (result.eventId === undefined) continue; // nothing to key it by; it was logged
      response.pdus[result.eventId] = result.error === undefined ? {} : { error: result.error };
    }
    return response;
  }

  private async receivePdu(origin: string, txnId: string, roomId: string, raw: Record<string, unknown>): Promise<PduResult> {
    let memory;
    try {
      memory = await this.persister.roomMemory(roomId);
    } catch (error) {
      return this.refused(origin, txnId, raw, undefined, `cannot load room ${roomId}: ${(error as Error).message}`);
    }
    if (!memory) return this.refused(origin, txnId, raw, undefined, `unknown room ${roomId}`);
    if (!this.acls.allowedIn(origin, memory)) {
      return this.refused(origin, txnId, raw, memory.version, `${origin} is denied by the server ACL of ${roomId}`);
    }
    const outcome = await this.ingest.receive(origin, raw);
    const eventId = outcome.eventId ?? eventIdOf(raw, memory.version);
    if (outcome.error !== undefined && eventId !== undefined) {
      // The ingest logs the PDUs it refuses before storing them; those it stored as rejected are logged here.
      const status = await this.stores.events.knownStatus([eventId]);
      if (status.get(eventId)?.rejected) this.core.logger.info({ origin, txnId, roomId, eventId, reason: outcome.error }, "PDU rejected by the auth rules");
    }
    return { eventId, error: outcome.error };
  }

  /** Whether an EDU holds what the server cannot keep (U+0000, nesting deeper than a client may send); logged. */
  private eduProblem(origin: string, txnId: string, edu: unknown): boolean {
    const problem = jsonInputProblem(edu, { maxDepth: MAX_JSON_DEPTH + 1 });
    if (problem) this.core.logger.info({ origin, txnId, reason: problem }, "refused EDU");
    return problem !== undefined;
  }

  /** A PDU we turn away before it reaches the ingest: logged here, once. */
  private refused(origin: string, txnId: string, raw: unknown, version: RoomVersion | undefined, reason: string): PduResult {
    const claimed = eventIdOf(raw, version);
    // An id we could never store or look up is not an id to answer by either.
    const eventId = claimed !== undefined && textParamProblem(claimed) === undefined ? claimed : undefined;
    this.core.logger.info({ origin, txnId, eventId, reason }, "refused PDU");
    return { eventId, error: reason };
  }

  private pruneNowAndThen(): void {
    const now = this.core.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.store.deleteOlderThan(now - KEEP_TRANSACTIONS_MS).catch((error: unknown) => {
      this.core.logger.warn({ err: (error as Error).message }, "pruning old federation transactions failed");
    });
  }
}

/**
 * The id to answer a PDU by: carried (v1/v2 format) or computed with the room's version, or with the
 * newest version's rules when we do not know the room. Undefined when it cannot be computed.
 */
function eventIdOf(raw: unknown, version: RoomVersion | undefined): string | undefined {
  if (!isObject(raw)) return undefined;
  if (typeof raw.event_id === "string" && (version === undefined || version.eventIdFormat === "server-generated")) return raw.event_id;
  try {
    return computeEventId(raw as Pdu, version ?? GUESS_VERSION);
  } catch {
    return undefined;
  }
}
