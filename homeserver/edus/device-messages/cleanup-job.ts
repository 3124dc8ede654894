import { schedule, type ScheduledTask } from "node-cron";
import type { CoreContext } from "../../core/core-context.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";

const HOUR_MS = 60 * 60 * 1000;
/** A client retries a PUT /sendToDevice within minutes; a day is far more than any retry needs. */
export const KEEP_TO_DEVICE_TXNS_MS = 24 * HOUR_MS;
/**
 * A peer retries a transaction until we answer it, backing off to minutes at most; a week of delivered message
 * ids covers a retry after our own long downtime too (Synapse likewise prunes its record of them after a delay).
 */
export const KEEP_INBOUND_MESSAGE_IDS_MS = 7 * 24 * HOUR_MS;
/** Every hour, at a minute past: the rows go in small daily amounts, so hourly keeps each run short. */
const EVERY_HOUR = "1 * * * *";

/**
 * The pruning of device messaging's bookkeeping: sendToDevice request ids older than a day and inbound
 * m.direct_to_device ids older than a week. Delivered outbox EDUs need none: the sender deletes them on delivery.
 */
export class DeviceMessagingCleanup {
  constructor(
    private readonly core: Pick<CoreContext, "clock" | "logger">,
    private readonly store: Pick<FederationOutboxStore, "prune">,
  ) {}

  async runOnce(): Promise<{ inbound: number; toDeviceTxns: number }> {
    const now = this.core.clock.now();
    return this.store.prune({ inboundBefore: now - KEEP_INBOUND_MESSAGE_IDS_MS, toDeviceTxnsBefore: now - KEEP_TO_DEVICE_TXNS_MS });
  }

  /** Schedules the hourly run (a run still going when the next is due is not doubled); stop() ends it. */
  start(): { stop(): void } {
    const task: ScheduledTask = schedule(
      EVERY_HOUR,
      async () => {
        try {
          const pruned = await this.runOnce();
          if (pruned.inbound + pruned.toDeviceTxns > 0) this.core.logger.debug(pruned, "pruned device messaging bookkeeping");
        } catch (error) {
          this.core.logger.warn({ err: (error as Error).message }, "pruning device messaging bookkeeping failed");
        }
      },
      { name: "device-messaging-cleanup", noOverlap: true, unref: true },
    );
    return { stop: () => void task.destroy() };
  }
}
