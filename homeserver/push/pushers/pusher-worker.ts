import type { Clock } from "../../core/clock.js";
import type { PushersConfig } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import type { PendingNotification, PushersStore, PusherRow } from "../../storage/stores/pushers-store.js";
import type { LiveDevices } from "../../sync/live-devices.js";
import type { Badge, BadgeCount } from "./badge-count.js";
import type { EventContexts } from "./event-context.js";
import type { NotifyBody, PushGatewayClient } from "./gateway-client.js";
import { countsNotification, eventNotification } from "./notification-body.js";

/** Notifications read per query; a pusher with more pending reads again after sending them. */
const BATCH = 100;
/** How long a claim on a pusher holds for a process that stopped renewing it (it renews at every batch). */
export const CLAIM_MS = 60_000;

export interface PusherWorkerDeps {
  store: Pick<PushersStore, "claim" | "advance" | "markFailing" | "deleteById" | "pending" | "byId">;
  contexts: Pick<EventContexts, "of" | "event">;
  badge: Pick<BadgeCount, "of">;
  gateway: PushGatewayClient;
  live: LiveDevices;
  config: () => PushersConfig;
  clock: Clock;
  /** The events stream's published position: nothing above it is read (a lower position may still commit). */
  position: () => number;
  logger: Logger;
  /** This process, as claims name it. */
  owner: string;
  /** Limits how many gateway requests are in flight at once. */
  slots: Slots;
}

export interface Slots {
  acquire(): Promise<() => void>;
}

type Outcome = "sent" | "skipped" | "failed" | "rejected";

/**
 * One pusher's loop, modelled on Synapse's HttpPusher: it sends the notifications after the pusher's cursor
 * one at a time, in stream order, and moves the cursor in the database after each (at-least-once: a crash
 * between the gateway's answer and the cursor write sends that one again). A failure keeps the notification at
 * the head and retries it with exponential backoff (retry_initial_ms doubling to retry_max_ms); once the
 * pusher has been failing for max_age_ms it gives up on that one and goes on. One run at a time per pusher, and
 * across processes one claim at a time (PushersStore.claim), so a pusher never has two requests in flight.
 */
export class PusherWorker {
  private running = false;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number | undefined;
  private badgeWanted = false;
  /** The user read something since the batch in hand was read: read the rest again (read ones are not sent). */
  private readSince = false;
  /** The counts the gateway last took, as Synapse keeps them: a receipt that changes nothing sends nothing. */
  private lastBadge: Badge | undefined;
  private run: Promise<void> | undefined;

  constructor(
    readonly id: number,
    private readonly deps: PusherWorkerDeps,
    /** Called once the pusher is found gone (deleted, rejected): the loop forgets this worker. */
    private readonly onGone: () => void,
  ) {}

  /** Look for notifications to send (new events, a restart, a retry's time). */
  wake(): void {
    if (this.stopped) return;
    // Failing: the retry timer decides when to try again, not every new event (Synapse does the same).
    if (this.retryTimer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.run = this.loop().finally(() => {
      this.running = false;
    });
  }

  /** A read receipt of the user's: send the new badge, after what is queued before it. */
  /** The user's read receipt moved: notifications it covers are not sent (the batch in hand is read again). */
  readMoved(): void {
    this.readSince = true;
  }

  badgeChanged(): void {
    this.badgeWanted = true;
    this.readSince = true;
    this.wake();
  }

  /** Stops retrying; resolves once a run in progress is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.run?.catch(() => {});
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.processOnce();
      } catch (error) {
        this.deps.logger.error({ err: error, pusherId: this.id }, "pusher run failed");
        if (!this.stopped) this.scheduleRetry();
      }
    } while (this.again && !this.stopped && !this.retryTimer);
  }

  private async processOnce(): Promise<void> {
    const { store, clock, owner } = this.deps;
    let row = await store.claim(this.id, owner, clock.now(), clock.now() + CLAIM_MS);
    if (!row) {
      if (!(await store.byId(this.id))) return this.gone();
      // Another process sends for it now; look again once its claim would have run out.
      return this.scheduleAt(CLAIM_MS);
    }
    // The claim is not released after the run (a write per run saved): it is renewed by the next one, and
    // runs out CLAIM_MS after the last if this process dies; a process that stops releases all of its own.
    const upTo = this.deps.position();
    for (;;) {
      this.readSince = false;
      const pending = await store.pending(row.userId, row.lastStreamPos, upTo, BATCH);
      let readAgain = false;
      for (const notification of pending) {
        if (this.stopped) return;
        const next = await this.deliver(row, notification);
        if (next === undefined) return;
        row = next;
        if (this.readSince) {
          readAgain = true;
          break;
        }
      }
      if ((!readAgain && pending.length < BATCH) || this.stopped) break;
      // Renew the claim for the next batch.
      const renewed = await store.claim(this.id, owner, clock.now(), clock.now() + CLAIM_MS);
      if (!renewed) return;
    }
    if (this.badgeWanted && !this.stopped) await this.sendBadge(row);
  }

  /** Sends one notification and moves the cursor; returns the row as it now is, or undefined to stop this run. */
  private async deliver(row: PusherRow, notification: PendingNotification): Promise<PusherRow | undefined> {
    const { store, clock, owner } = this.deps;
    const outcome = await this.sendOne(row, notification);
    if (outcome === "rejected") {
      this.deps.logger.info({ pusherId: this.id, userId: row.userId, appId: row.appId }, "push gateway rejected the pushkey: removing the pusher");
      await store.deleteById(this.id);
      this.gone();
      return undefined;
    }
    if (outcome === "failed") {
      const failingSince = row.failingSince ?? clock.now();
      if (!(await store.markFailing(this.id, owner, failingSince))) return this.lostOrGone();
      if (clock.now() - failingSince < this.deps.config().max_age_ms) {
        this.scheduleRetry();
        return undefined;
      }
      // Failing for max_age_ms: give up on this one (so that a fixed gateway does not get a day of old
      // notifications), and the next one starts a new failure period.
      this.deps.logger.warn({ pusherId: this.id, userId: row.userId, eventId: notification.eventId }, "giving up on a push notification");
      if (!(await store.advance(this.id, owner, notification.streamPos, null))) return this.lostOrGone();
      this.backoffMs = undefined;
      return { ...row, lastStreamPos: notification.streamPos, failingSince: null };
    }
    if (!(await store.advance(this.id, owner, notification.streamPos, outcome === "sent" ? clock.now() : null))) return this.lostOrGone();
    this.backoffMs = undefined;
    return { ...row, lastStreamPos: notification.streamPos, failingSince: null };
  }

  private async sendOne(row: PusherRow, notification: PendingNotification): Promise<Outcome> {
    const { config, live, contexts, badge } = this.deps;
    const settings = config();
    // Sync is sending the event to this device now (an open socket, a long-poll just answered): no wake-up.
    if (settings.skip_when_syncing && live.isLive(row.userId, row.deviceId, settings.sync_grace_ms)) return "skipped";
    const actions = JSON.parse(notification.actions) as unknown;
    if (!Array.isArray(actions) || !actions.includes("notify")) return "skipped";
    const event = await contexts.event(notification.eventId);
    if (!event) return "skipped";
    const counts = await badge.of(row.userId);
    const context = row.data.format === "event_id_only" ? {} : await contexts.of(notification.roomId, notification.eventId, event.pdu.sender);
    const body = eventNotification(row, notification.roomId, event.pdu, actions, counts, context);
    try {
      const { rejected } = await this.notify(row, body);
      if (rejected.includes(row.pushkey)) return "rejected";
      this.lastBadge = counts;
      return "sent";
    } catch (error) {
      this.deps.logger.warn({ pusherId: this.id, userId: row.userId, err: (error as Error).message }, "push gateway request failed");
      return "failed";
    }
  }

  /** A badge update is sent once, never retried (as Synapse): the next event or receipt carries the count again. */
  private async sendBadge(row: PusherRow): Promise<void> {
    this.badgeWanted = false;
    const counts = await this.deps.badge.of(row.userId);
    if (counts.unread === this.lastBadge?.unread && counts.missedCalls === this.lastBadge.missedCalls) return;
    try {
      const { rejected } = await this.notify(row, countsNotification(row, counts));
      if (rejected.includes(row.pushkey)) {
        await this.deps.store.deleteById(this.id);
        this.gone();
        return;
      }
      this.lastBadge = counts;
    } catch (error) {
      this.deps.logger.warn({ pusherId: this.id, userId: row.userId, err: (error as Error).message }, "sending a badge update failed");
    }
  }

  /**
   * One gateway request, in one of the slots that limit them. Only the requests wait for a slot: the store steps
   * around them go with the other woken pushers' (batchedPushersStore), which a slot held for the whole run
   * would stagger into one statement each.
   */
  private async notify(row: PusherRow, body: NotifyBody): Promise<{ rejected: string[] }> {
    const release = await this.deps.slots.acquire();
    try {
      return await this.deps.gateway.notify(row.data.url as string, body);
    } finally {
      release();
    }
  }

  private scheduleRetry(): void {
    const { retry_initial_ms: initial, retry_max_ms: max } = this.deps.config();
    const delay = Math.min(this.backoffMs ?? initial, max);
    this.backoffMs = Math.min(delay * 2, max);
    this.scheduleAt(delay);
  }

  private scheduleAt(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, delayMs);
    this.retryTimer.unref?.();
  }

  /** The cursor write found no row of ours: the pusher is gone, or another process has taken it over. */
  private async lostOrGone(): Promise<undefined> {
    if (!(await this.deps.store.byId(this.id))) this.gone();
    else this.scheduleAt(CLAIM_MS);
    return undefined;
  }

  private gone(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.onGone();
  }
}
