import type { Pool } from "undici";
import type { BenchLayout } from "./bench-layout.js";
import { WARMUP_SEQ, type DeliveryTracker } from "./delivery-tracker.js";
import { sendMessage, type Session } from "./matrix-http.js";
import { sleep } from "./latency-result.js";

/** Open-loop pacing keeps sending while earlier sends are unanswered, but not without bound. */
export const MAX_IN_FLIGHT_PER_SENDER = 8;

/** What a latency run needs whatever the transport; each transport adds how it reaches the server. */
export interface LatencyRunOptions {
  sendPool: Pool;
  layout: BenchLayout;
  clients: Session[];
  senders: Session[];
  messages: number;
  ratePerSecond: number;
  /** How long to wait for outstanding deliveries after the last send was acknowledged. */
  drainMs: number;
  log: (line: string) => void;
}

export interface SendPlan {
  sendPool: Pool;
  senders: Session[];
  tracker: DeliveryTracker;
  ratePerSecond: number;
  /** Prefix of the transaction ids, unique per run. */
  txnPrefix: string;
  drainMs: number;
  log: (line: string) => void;
  /** The first transport error, for the message when the warm-up times out. */
  firstError: () => unknown;
}

export interface SendFigures {
  t0: number;
  sendsDoneAt: number;
  failedSends: number;
}

/** One unmeasured message into each room; resolves once every client has received the one of its room. */
export async function warmUp(plan: SendPlan, what: string): Promise<void> {
  const { tracker } = plan;
  for (const roomId of tracker.layout.rooms) {
    await sendMessage(plan.sendPool, plan.senders[0], roomId, `${plan.txnPrefix}-warmup-${roomId}`, { msgtype: "m.text", body: "warm-up", bench_seq: WARMUP_SEQ });
  }
  const deadline = performance.now() + 60_000;
  while (!tracker.allWarmedUp && performance.now() < deadline) await sleep(50);
  if (!tracker.allWarmedUp) {
    const error = plan.firstError();
    const cause = error ? `; first error: ${(error as Error).message}` : "";
    throw new Error(`only ${tracker.warmedUpCount}/${tracker.clients} ${what} received the warm-up message within 60 s${cause}`);
  }
}

/**
 * Sends tracker.messages messages at a steady total rate, open loop: message `seq` is due at t0 + seq / rate
 * and goes out through sender seq % M into room seq % R whether or not that sender's earlier sends were
 * acknowledged (up to MAX_IN_FLIGHT_PER_SENDER), so a slow server shows up as latency instead of silently
 * lowering the rate. Then waits up to drainMs for the outstanding deliveries.
 */
export async function sendPaced(plan: SendPlan): Promise<SendFigures> {
  const { tracker, senders } = plan;
  const intervalMs = 1000 / plan.ratePerSecond;
  const t0 = performance.now() + 20;
  let failedSends = 0;
  let sendFailure: unknown = null;
  const sendOne = async (sender: Session, seq: number) => {
    tracker.sendStart[seq] = performance.now();
    try {
      await sendMessage(plan.sendPool, sender, tracker.roomOf(seq), `${plan.txnPrefix}-${seq}`, { msgtype: "m.text", body: `latency ${seq}`, bench_seq: seq });
      tracker.acknowledged(seq);
    } catch (error) {
      tracker.failed(seq);
      if (failedSends++ === 0) console.error(`[bench] latency: send failed: ${(error as Error).message}`);
      if (failedSends > 20) sendFailure ??= error;
    }
  };
  await Promise.all(
    senders.map(async (sender, senderIndex) => {
      const inFlight = new Set<Promise<void>>();
      for (let seq = senderIndex; seq < tracker.messages && sendFailure === null; seq += senders.length) {
        const wait = t0 + seq * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        while (inFlight.size >= MAX_IN_FLIGHT_PER_SENDER) await Promise.race(inFlight);
        const sending: Promise<void> = sendOne(sender, seq).finally(() => inFlight.delete(sending));
        inFlight.add(sending);
      }
      await Promise.all(inFlight);
    }),
  );
  if (sendFailure !== null) throw sendFailure;
  const sendsDoneAt = performance.now();
  const drainDeadline = sendsDoneAt + plan.drainMs;
  while (!tracker.allDelivered && performance.now() < drainDeadline) await sleep(50);
  return { t0, sendsDoneAt, failedSends };
}
