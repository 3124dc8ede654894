import type { CoreContext } from "../../core/core-context.js";
import type { Edu } from "../edu-contracts.js";
import type { Tx } from "../../storage/database.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import type { DurableEduExpiryStore } from "../../storage/stores/durable-edu-expiry-store.js";

/** How often one destination's expired rows are looked for: expiry counts in days, reads come every transaction. */
export const EXPIRY_CHECK_INTERVAL_MS = 60 * 60_000;

/** An EDU for one destination, as writers hand it over. */
export interface AddressedEdu {
  destination: string;
  edu: Edu;
}

/** The writers' side: to-device and device lists queue their EDUs in the transaction of the change they carry. */
export interface DurableEduQueue {
  enqueue(tx: Tx, edus: readonly AddressedEdu[]): Promise<void>;
}

/** What the federation sender is told once such a transaction has committed. */
export interface DurableEduWaker {
  durableEdusQueued(destinations: ReadonlySet<string>): void;
}

/** A stored EDU of one destination's queue, with the id that deletes it once delivered. */
export interface QueuedEdu {
  id: number;
  edu: Edu;
}

/** The federation sender's side (federation/sender/ reads through it; it never sees the store). */
export interface DurableEduSource {
  /** The oldest `limit` EDUs waiting for `destination`. */
  pending(destination: string, limit: number): Promise<QueuedEdu[]>;
  /** The destination answered 200 to a transaction holding these: they are done. */
  delivered(destination: string, ids: readonly number[]): Promise<void>;
  /**
   * Drops what `destination` has not taken for longer than federation.durable_edu_max_age_ms (see
   * DurableEduExpiryStore for what is kept); looks at most once an hour per destination. Called before reads.
   */
  expire?(destination: string): Promise<void>;
  /** Where EDUs are waiting, for the sender's start (after a restart, or a peer's long downtime). */
  destinationsWithPending(): Promise<string[]>;
  /** The sender attaches itself when it starts, and detaches when it stops. */
  attach(waker: DurableEduWaker | undefined): void;
}

/**
 * The durable EDU outbox (federation_outbox_edus): unlike typing or receipts, which may be dropped or merged, a
 * to-device message or a device list update must reach its destination exactly as queued, after our restarts and
 * theirs. Rows are written with the change they carry and deleted only when a transaction holding them got a 200.
 * With no sender attached (tests without one), rows simply wait.
 */
export class DurableEduOutbox implements DurableEduQueue, DurableEduSource {
  private waker: DurableEduWaker | undefined;
  /** When each destination's expired rows were last looked for (in this process). */
  private readonly expiredAt = new Map<string, number>();

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "clock" | "config" | "logger">,
    private readonly store: Pick<FederationOutboxStore, "enqueue" | "pending" | "delete" | "destinationsWithPending">,
    private readonly expiry?: Pick<DurableEduExpiryStore, "expire">,
  ) {}

  async expire(destination: string): Promise<void> {
    if (!this.expiry) return;
    const now = this.core.clock.now();
    const last = this.expiredAt.get(destination);
    if (last !== undefined && now - last < EXPIRY_CHECK_INTERVAL_MS) return;
    this.expiredAt.set(destination, now);
    const dropped = await this.expiry.expire(destination, now - this.core.config.federation.durable_edu_max_age_ms);
    if (dropped > 0) this.core.logger.info({ destination, dropped }, "dropped durable EDUs the destination did not take in time");
  }

  attach(waker: DurableEduWaker | undefined): void {
    this.waker = waker;
  }

  async enqueue(tx: Tx, edus: readonly AddressedEdu[]): Promise<void> {
    const rows = edus
      .filter((e) => e.destination !== this.core.serverName)
      .map((e) => ({ destination: e.destination, eduType: e.edu.edu_type, content: JSON.stringify(e.edu.content) }));
    if (rows.length === 0) return;
    await this.store.enqueue(tx, rows, this.core.clock.now());
    const destinations = new Set(rows.map((r) => r.destination));
    this.core.database.onCommit(tx, () => this.waker?.durableEdusQueued(destinations));
  }

  async pending(destination: string, limit: number): Promise<QueuedEdu[]> {
    const rows = await this.store.pending(destination, limit);
    return rows.map((r) => ({ id: r.streamId, edu: { edu_type: r.eduType, content: JSON.parse(r.content) as Record<string, unknown> } }));
  }

  delivered(destination: string, ids: readonly number[]): Promise<void> {
    return this.store.delete(destination, ids);
  }

  destinationsWithPending(): Promise<string[]> {
    return this.store.destinationsWithPending();
  }
}
