import type { DurableEduSource, QueuedEdu } from "../../homeserver/edus/device-messages/index.js";

export type { DurableEduSource } from "../../homeserver/edus/device-messages/index.js";

/** The durable EDUs one transaction carries, and what the queue knew of the outbox when it read them. */
export interface DurableBatch {
  edus: QueuedEdu[];
  /** The wake-up count at the read: a wake-up after it may have queued rows the read did not see. */
  readAt: number;
  limit: number;
}

const EMPTY: DurableBatch = { edus: [], readAt: 0, limit: 0 };

/**
 * One destination's view of the durable EDU outbox (to-device messages, device list updates). Rows are read into a
 * transaction, in the order they were queued, and deleted only once the destination has answered that transaction
 * with 200; a failed transaction leaves them for the next attempt (the receiver drops what it already has by
 * message_id or stream_id). The queue knows rows may be waiting when woken after a commit, at start, or after a
 * read that filled a whole transaction. Before a read, rows too old are dropped (federation.durable_edu_max_age_ms):
 * a destination that never comes back is still retried, and so its queue shrinks to what it would catch up from.
 */
export class DestinationDurableEdus {
  private wakeUps = 0;
  private owed: boolean;

  constructor(
    private readonly source: Pick<DurableEduSource, "pending" | "delivered" | "expire">,
    private readonly destination: string,
    owed = false,
  ) {
    this.owed = owed;
  }

  /** Rows were queued for this destination (or may have been, as at start). */
  markOwed(): void {
    this.wakeUps++;
    this.owed = true;
  }

  get isOwed(): boolean {
    return this.owed;
  }

  /** The oldest `limit` rows; nothing when none can be waiting. */
  async take(limit: number): Promise<DurableBatch> {
    if (!this.owed || limit <= 0) return EMPTY;
    const readAt = this.wakeUps;
    await this.source.expire?.(this.destination);
    const edus = await this.source.pending(this.destination, limit);
    return { edus, readAt, limit };
  }

  /** The transaction carrying `batch` was accepted: delete its rows, and stop reading when the outbox is empty. */
  async delivered(batch: DurableBatch): Promise<void> {
    if (batch === EMPTY) return;
    if (batch.edus.length > 0) await this.source.delivered(this.destination, batch.edus.map((e) => e.id));
    // A short read with no wake-up since means the outbox held no more for this destination.
    if (batch.edus.length < batch.limit && this.wakeUps === batch.readAt) this.owed = false;
  }
}
