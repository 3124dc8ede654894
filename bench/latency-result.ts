import type { DeliveryTracker } from "./delivery-tracker.js";
import type { SendFigures } from "./paced-sends.js";
import { summarise, type Summary } from "./stats.js";

export interface LatencyResult {
  layout: string;
  rooms: number;
  clients: number;
  senders: number;
  messagesPlanned: number;
  messagesSent: number;
  failedSends: number;
  targetRatePerSecond: number;
  messagesPerSecond: number;
  deliveries: number;
  expectedDeliveries: number;
  missingDeliveries: number;
  duplicateDeliveries: number;
  deliveriesPerSecond: number;
  limitedTimelines: number;
  syncResponses: number;
  syncErrors: number;
  deliveryLatencyMs: Summary;
  sendAckMs: Summary;
}

/** The printed figures of a latency run, whatever the transport. */
export function latencyResult(t: DeliveryTracker, sends: SendFigures, run: { senders: number; ratePerSecond: number; syncErrors: number }): LatencyResult {
  const messagesSent = t.ackTimes.length;
  const sendSeconds = (sends.sendsDoneAt - sends.t0) / 1000;
  const deliverySeconds = ((t.lastDeliveryAt || sends.sendsDoneAt) - sends.t0) / 1000;
  return {
    layout: t.layout.label,
    rooms: t.layout.rooms.length,
    clients: t.clients,
    senders: run.senders,
    messagesPlanned: t.messages,
    messagesSent,
    failedSends: sends.failedSends,
    targetRatePerSecond: run.ratePerSecond,
    messagesPerSecond: round1(messagesSent / sendSeconds),
    deliveries: t.latencies.length,
    expectedDeliveries: t.expectedDeliveries,
    missingDeliveries: t.expectedDeliveries - t.latencies.length,
    duplicateDeliveries: t.duplicates,
    deliveriesPerSecond: round1(t.latencies.length / deliverySeconds),
    limitedTimelines: t.limitedTimelines,
    syncResponses: t.syncResponses,
    syncErrors: run.syncErrors,
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
