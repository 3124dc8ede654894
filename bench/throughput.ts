import type { Pool } from "undici";
import { sendMessage, type Session } from "./matrix-http.js";
import { Samples, summarise, type Summary } from "./stats.js";

export interface ThroughputResult {
  senders: number;
  messages: number;
  failed: number;
  elapsedMs: number;
  messagesPerSecond: number;
  sendLatencyMs: Summary;
}

/**
 * Each sender sends its share of `total` messages back to back (one request in flight per sender) and we count
 * acknowledged sends per second over the whole run. Bounded by count and by `deadlineMs`.
 */
export async function runThroughput(pool: Pool, roomId: string, senders: Session[], total: number, deadlineMs: number): Promise<ThroughputResult> {
  const sendTimes = new Samples();
  let failed = 0;
  let firstError: unknown = null;
  const started = performance.now();
  const deadline = started + deadlineMs;
  await Promise.all(
    senders.map(async (sender, senderIndex) => {
      for (let seq = senderIndex; seq < total && performance.now() < deadline; seq += senders.length) {
        const sendStarted = performance.now();
        try {
          await sendMessage(pool, sender, roomId, `tp-${seq}`, { msgtype: "m.text", body: `throughput ${seq}` });
          sendTimes.push(performance.now() - sendStarted);
        } catch (error) {
          failed++;
          firstError ??= error;
          if (failed > 20) throw error;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  if (firstError) console.error(`[bench] throughput: ${failed} sends failed, first: ${(firstError as Error).message}`);
  return {
    senders: senders.length,
    messages: sendTimes.length,
    failed,
    elapsedMs: Math.round(elapsedMs),
    messagesPerSecond: Math.round((sendTimes.length / elapsedMs) * 1000 * 10) / 10,
    sendLatencyMs: summarise(sendTimes.values()),
  };
}
