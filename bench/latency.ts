import type { Pool } from "undici";
import { call, mapLimit, sendMessage, syncPath, type Session, type SyncResponse } from "./matrix-http.js";
import { Samples, type Summary } from "./stats.js";
import { latencyResult, sleep } from "./latency-result.js";

export interface LatencyOptions {
  syncPool: Pool;
  sendPool: Pool;
  roomId: string;
  clients: Session[];
  senders: Session[];
  messages: number;
  ratePerSecond: number;
  /** How long to wait for outstanding deliveries after the last send was acknowledged. */
  drainMs: number;
  log: (line: string) => void;
}

export interface LatencyResult {
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

const LONG_POLL_MS = 30_000;
const WARMUP_SEQ = -1;
/** Open-loop pacing keeps sending while earlier sends are unanswered, but not without bound. */
export const MAX_IN_FLIGHT_PER_SENDER = 8;

/**
 * Every client long-polls /sync in a loop; the senders send `messages` messages at a steady total rate, each
 * carrying `bench_seq` in its content. Latency of a (message, client) pair = arrival of the sync response
 * holding it minus the moment the send request started. A warm-up message first proves every client is
 * parked in a long-poll before the measured messages go out.
 */
export async function runLatency(options: LatencyOptions): Promise<LatencyResult> {
  const { syncPool, sendPool, roomId, clients, senders, messages, log } = options;
  const filter = JSON.stringify({
    presence: { types: [] },
    account_data: { types: [] },
    room: {
      rooms: [roomId],
      timeline: { limit: 50, lazy_load_members: true },
      state: { lazy_load_members: true },
      ephemeral: { types: [] },
      account_data: { types: [] },
    },
  });

  const sendStart = new Float64Array(messages).fill(Number.NaN);
  const delivered = new Uint8Array(messages * clients.length);
  const latencies = new Samples();
  let duplicates = 0;
  let limitedTimelines = 0;
  let syncResponses = 0;
  let syncErrors = 0;
  let lastDeliveryAt = 0;
  let firstSyncError: unknown = null;
  const warmedUp = new Uint8Array(clients.length);
  let warmedUpCount = 0;
  let stopping = false;

  // Initial syncs (no long-poll) give every client its `since` token.
  const startedInitial = performance.now();
  const tokens = await mapLimit(clients, 16, async (client) => (await call<SyncResponse>(syncPool, "GET", syncPath(filter, null, 0), { token: client.accessToken })).next_batch);
  log(`initial syncs done in ${Math.round(performance.now() - startedInitial)} ms`);

  const handle = (clientIndex: number, response: SyncResponse, arrivedAt: number) => {
    const timeline = response.rooms?.join?.[roomId]?.timeline;
    if (!timeline?.events) return;
    if (timeline.limited) limitedTimelines++;
    for (const event of timeline.events) {
      const seq = event.content?.bench_seq;
      if (typeof seq !== "number") continue;
      if (seq === WARMUP_SEQ) {
        if (!warmedUp[clientIndex]) {
          warmedUp[clientIndex] = 1;
          warmedUpCount++;
        }
        continue;
      }
      if (seq < 0 || seq >= messages || Number.isNaN(sendStart[seq])) continue;
      const slot = seq * clients.length + clientIndex;
      if (delivered[slot]) {
        duplicates++;
        continue;
      }
      delivered[slot] = 1;
      latencies.push(arrivedAt - sendStart[seq]);
      lastDeliveryAt = arrivedAt;
    }
  };

  const syncLoop = async (client: Session, clientIndex: number) => {
    let since = tokens[clientIndex];
    let consecutiveErrors = 0;
    while (!stopping) {
      try {
        const response = await call<SyncResponse>(syncPool, "GET", syncPath(filter, since, LONG_POLL_MS), { token: client.accessToken });
        const arrivedAt = performance.now();
        syncResponses++;
        consecutiveErrors = 0;
        since = response.next_batch;
        handle(clientIndex, response, arrivedAt);
      } catch (error) {
        if (stopping) return;
        syncErrors++;
        firstSyncError ??= error;
        if (++consecutiveErrors >= 5) return;
        await sleep(200);
      }
    }
  };
  const loops = clients.map((client, index) => syncLoop(client, index));
  const stopLoops = async () => {
    stopping = true;
    await syncPool.destroy().catch(() => undefined);
    await Promise.allSettled(loops);
  };

  const ackTimes = new Samples();
  let failedSends = 0;
  let t0 = 0;
  let sendsDoneAt = 0;
  try {
    // Warm-up: one unmeasured message that every client must receive before timing starts.
    await sendMessage(sendPool, senders[0], roomId, `lat-warmup-${Date.now()}`, { msgtype: "m.text", body: "warm-up", bench_seq: WARMUP_SEQ });
    const warmupDeadline = performance.now() + 60_000;
    while (warmedUpCount < clients.length && performance.now() < warmupDeadline && syncErrors < clients.length * 5) await sleep(50);
    if (warmedUpCount < clients.length) {
      const cause = firstSyncError ? `; first sync error: ${(firstSyncError as Error).message}` : "";
      throw new Error(`only ${warmedUpCount}/${clients.length} clients received the warm-up message within 60 s${cause}`);
    }
    log(`all ${clients.length} clients are long-polling; sending ${messages} messages at ${options.ratePerSecond}/s`);

    // Paced sends, open loop: message `seq` is due at t0 + seq / rate and goes out through sender seq % M
    // whether or not that sender's earlier sends were acknowledged (up to MAX_IN_FLIGHT_PER_SENDER), so a slow
    // server shows up as latency instead of silently lowering the rate.
    const intervalMs = 1000 / options.ratePerSecond;
    t0 = performance.now() + 20;
    let sendFailure: unknown = null;
    const sendOne = async (sender: Session, seq: number) => {
      sendStart[seq] = performance.now();
      try {
        await sendMessage(sendPool, sender, roomId, `lat-${seq}`, { msgtype: "m.text", body: `latency ${seq}`, bench_seq: seq });
        ackTimes.push(performance.now() - sendStart[seq]);
      } catch (error) {
        sendStart[seq] = Number.NaN; // not expected, so a late delivery of it is not counted either
        if (failedSends++ === 0) console.error(`[bench] latency: send failed: ${(error as Error).message}`);
        if (failedSends > 20) sendFailure ??= error;
      }
    };
    await Promise.all(
      senders.map(async (sender, senderIndex) => {
        const inFlight = new Set<Promise<void>>();
        for (let seq = senderIndex; seq < messages && sendFailure === null; seq += senders.length) {
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
    sendsDoneAt = performance.now();
    const drainDeadline = sendsDoneAt + options.drainMs;
    while (latencies.length < ackTimes.length * clients.length && performance.now() < drainDeadline) await sleep(50);
  } finally {
    await stopLoops();
  }
  if (firstSyncError) console.error(`[bench] latency: ${syncErrors} sync errors, first: ${(firstSyncError as Error).message}`);
  return latencyResult({
    clients: clients.length,
    senders: senders.length,
    messagesPlanned: messages,
    ratePerSecond: options.ratePerSecond,
    latencies,
    ackTimes,
    failedSends,
    duplicates,
    limitedTimelines,
    syncResponses,
    syncErrors,
    t0,
    sendsDoneAt,
    lastDeliveryAt,
  });
}
