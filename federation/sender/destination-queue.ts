import type { Logger } from "../logger.js";
import type { Clock } from "../clock.js";
import type { OutboundEvents, DestinationRow } from "../../homeserver/rooms/remote/outbound-events.js";
import { federationPath, type FederationClient } from "../client/federation-client.js";
import type { Edu } from "../../homeserver/edus/edu-contracts.js";
import { DestinationDurableEdus, type DurableEduSource } from "./durable-edu-outbox.js";

export const MAX_PDUS_PER_TXN = 50;
export const MAX_EDUS_PER_TXN = 100;
/** A peer this far behind gets only each room's newest event and fetches the rest itself. */
export const CATCH_UP_LIMIT = 2_000;
const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10 * 60_000;

export interface QueueDeps {
  client: FederationClient;
  outbound: OutboundEvents;
  clock: Clock;
  logger: Logger;
  /** The highest published position of the room event stream. */
  currentPosition(): number;
  /** The durable EDU outbox (to-device, device lists); absent, the queue sends PDUs and ephemeral EDUs only. */
  durable?: Pick<DurableEduSource, "pending" | "delivered">;
}

/**
 * One destination's queue: one transaction in flight at a time, the cursor kept in the database so a restart
 * (ours or theirs) resumes where it stopped, exponential backoff with a cap after failures.
 */
export class DestinationQueue {
  private running = false;
  private wakeAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private txnCounter = 0;
  private stopped = false;
  /** Ephemeral EDUs waiting to go, by merge key: a newer EDU with the same key replaces the unsent one. */
  private readonly edus = new Map<string, Edu>();
  private unkeyed = 0;
  /** Durable EDUs, read from the database into each transaction and deleted once it is accepted. */
  private readonly durable: DestinationDurableEdus | undefined;

  constructor(
    private readonly deps: QueueDeps,
    private state: DestinationRow,
  ) {
    this.durable = deps.durable ? new DestinationDurableEdus(deps.durable, state.destination) : undefined;
  }

  get destination(): string {
    return this.state.destination;
  }

  get cursor(): number {
    return this.state.lastSentStreamPos;
  }

  /** Something may be waiting for this destination; `resetBackoff` when the peer has just shown it is up. */
  wake(resetBackoff = false): void {
    if (this.stopped) return;
    if (resetBackoff && this.state.retryAtTs !== null) {
      this.state = { ...this.state, retryAtTs: null, retryIntervalMs: 0 };
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    const waitMs = this.state.retryAtTs === null ? 0 : this.state.retryAtTs - this.deps.clock.now();
    if (waitMs > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.wake();
      }, waitMs);
      return;
    }
    void this.run();
  }

  /** Queues an EDU for the next transaction (PDUs and EDUs travel together). */
  addEdu(edu: Edu, key?: string): void {
    const mergeKey = key ?? `\u0000${++this.unkeyed}`;
    this.edus.delete(mergeKey); // re-inserted at the end: the newest goes last
    this.edus.set(mergeKey, edu);
    this.wake();
  }

  /** Durable EDUs were queued for this destination (or may wait, as at start): read them with the next transaction. */
  wakeDurable(): void {
    this.durable?.markOwed();
    this.wake();
  }

  get pendingEdus(): number {
    return this.edus.size;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.wakeAgain = false;
        while (!this.stopped && (await this.sendNext())) {
          /* keep sending while there is a backlog */
        }
      } while (this.wakeAgain && !this.stopped && this.state.retryAtTs === null);
    } catch (error) {
      // A failure here (e.g. the database going away at shutdown) must never become an unhandled rejection;
      // the cursor was not advanced, so the next wake-up resends.
      if (!this.stopped) {
        this.deps.logger.error({ destination: this.destination, err: (error as Error).message }, "federation sender failed");
        const interval = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.state.retryIntervalMs * 2));
        this.state = { ...this.state, retryAtTs: this.deps.clock.now() + interval, retryIntervalMs: interval };
      }
    } finally {
      this.running = false;
      // After a failure, arm the retry timer now that this run is over.
      if (this.state.retryAtTs !== null && !this.stopped) this.wake();
    }
  }

  /** Sends one transaction; true when more may be waiting. */
  private async sendNext(): Promise<boolean> {
    const upTo = this.deps.currentPosition();
    const pdusOwed = upTo > this.state.lastSentStreamPos;
    const durableOwed = this.durable?.isOwed ?? false;
    if (!pdusOwed && this.edus.size === 0 && !durableOwed) return false;
    let batch = pdusOwed ? await this.deps.outbound.eventsFor(this.destination, this.state.lastSentStreamPos, upTo, CATCH_UP_LIMIT + 1) : [];
    let newCursor: number;
    if (!pdusOwed) {
      newCursor = this.state.lastSentStreamPos;
    } else if (batch.length > CATCH_UP_LIMIT) {
      // Far behind: send each room's newest event; the peer fills the gap with get_missing_events.
      batch = await this.deps.outbound.latestEventsFor(this.destination, upTo);
      newCursor = upTo;
      this.deps.logger.info({ destination: this.destination }, "destination is far behind: sending only the latest events");
    } else {
      batch = batch.slice(0, MAX_PDUS_PER_TXN);
      newCursor = batch.length < MAX_PDUS_PER_TXN ? upTo : batch[batch.length - 1].streamPos;
    }
    // A backlog of durable EDUs keeps half of each transaction; ephemeral ones take the rest, and the other half
    // when there is no backlog, so neither kind starves the other.
    const edus = [...this.edus].slice(0, durableOwed ? MAX_EDUS_PER_TXN / 2 : MAX_EDUS_PER_TXN);
    const durable = this.durable ? await this.durable.take(MAX_EDUS_PER_TXN - edus.length) : undefined;
    const durableEdus = durable?.edus.map((queued) => queued.edu) ?? [];
    if (batch.length > 0 || edus.length > 0 || durableEdus.length > 0) {
      const txnId = `${this.deps.clock.now()}_${++this.txnCounter}`;
      try {
        await this.deps.client.request({
          method: "PUT",
          destination: this.destination,
          path: federationPath`/_matrix/federation/v1/send/${txnId}`,
          body: {
            origin: this.deps.client.serverName,
            origin_server_ts: this.deps.clock.now(),
            pdus: batch.map((b) => b.pdu),
            edus: [...durableEdus, ...edus.map(([, edu]) => edu)],
          },
        });
      } catch (error) {
        if (this.stopped) return false;
        const interval = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.state.retryIntervalMs * 2));
        this.state = { ...this.state, retryAtTs: this.deps.clock.now() + interval, retryIntervalMs: interval };
        await this.deps.outbound.saveDestination(this.state);
        this.deps.logger.info({ destination: this.destination, retryInMs: interval, err: (error as Error).message }, "federation send failed");
        return false;
      }
    }
    // Sent: drop the EDUs that went, unless a newer one with the same key arrived meanwhile.
    for (const [key, edu] of edus) if (this.edus.get(key) === edu) this.edus.delete(key);
    if (durable) await this.durable!.delivered(durable);
    if (this.stopped) return false;
    if (batch.length > 0 || edus.length > 0 || durableEdus.length > 0) {
      this.deps.logger.debug({ destination: this.destination, pdus: batch.length, edus: edus.length + durableEdus.length, upTo: newCursor }, "sent transaction");
    }
    const changed = newCursor !== this.state.lastSentStreamPos || this.state.retryAtTs !== null || this.state.retryIntervalMs !== 0;
    this.state = { ...this.state, lastSentStreamPos: newCursor, retryAtTs: null, retryIntervalMs: 0 };
    if (changed) await this.deps.outbound.saveDestination(this.state);
    return newCursor < this.deps.currentPosition() || this.edus.size > 0 || (this.durable?.isOwed ?? false);
  }
}
