import type { LatencyResult } from "./latency.js";
import { summarise, type Samples } from "./stats.js";

/** What a latency run counted, whatever the transport; `latencyResult` turns it into the printed figures. */
export interface LatencyTally {
  clients: number;
  senders: number;
  messagesPlanned: number;
  ratePerSecond: number;
  latencies: Samples;
  ackTimes: Samples;
  failedSends: number;
  duplicates: number;
  limitedTimelines: number;
  syncResponses: number;
  syncErrors: number;
  /** performance.now() when sending began, when the last send was acknowledged, and of the last delivery (0: none). */
  t0: number;
  sendsDoneAt: number;
  lastDeliveryAt: number;
}

export function latencyResult(t: LatencyTally): LatencyResult {
  const messagesSent = t.ackTimes.length;
  const expected = messagesSent * t.clients;
  const sendSeconds = (t.sendsDoneAt - t.t0) / 1000;
  const deliverySeconds = ((t.lastDeliveryAt || t.sendsDoneAt) - t.t0) / 1000;
  return {
    clients: t.clients,
    senders: t.senders,
    messagesPlanned: t.messagesPlanned,
    messagesSent,
    failedSends: t.failedSends,
    targetRatePerSecond: t.ratePerSecond,
    messagesPerSecond: round1(messagesSent / sendSeconds),
    deliveries: t.latencies.length,
    expectedDeliveries: expected,
    missingDeliveries: expected - t.latencies.length,
    duplicateDeliveries: t.duplicates,
    deliveriesPerSecond: round1(t.latencies.length / deliverySeconds),
    limitedTimelines: t.limitedTimelines,
    syncResponses: t.syncResponses,
    syncErrors: t.syncErrors,
    deliveryLatencyMs: summarise(t.latencies.values()),
    sendAckMs: summarise(t.ackTimes.values()),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
