import type { Pool } from "undici";
import { benchSyncFilter } from "./bench-layout.js";
import { DeliveryTracker } from "./delivery-tracker.js";
import { call, mapLimit, syncPath, type Session, type SyncResponse } from "./matrix-http.js";
import { latencyResult, sleep, type LatencyResult } from "./latency-result.js";
import { sendPaced, warmUp, type LatencyRunOptions, type SendFigures } from "./paced-sends.js";

export type { LatencyResult } from "./latency-result.js";

export interface LatencyOptions extends LatencyRunOptions {
  syncPool: Pool;
}

const LONG_POLL_MS = 30_000;

/**
 * Every client long-polls /sync for its room in a loop; the senders send `messages` messages at a steady total
 * rate, each carrying `bench_seq` in its content. Latency of a (message, client) pair = arrival of the sync
 * response holding it minus the moment the send request started. A warm-up message per room first proves
 * every client is parked in a long-poll before the measured messages go out.
 */
export async function runLatency(options: LatencyOptions): Promise<LatencyResult> {
  const { syncPool, layout, clients, log } = options;
  const tracker = new DeliveryTracker(layout, options.messages);
  const filters = layout.rooms.map((roomId) => JSON.stringify(benchSyncFilter(roomId)));
  const filterOf = (clientIndex: number) => filters[layout.clientRoom[clientIndex]];
  let syncErrors = 0;
  let firstSyncError: unknown = null;
  let stopping = false;

  // Initial syncs (no long-poll) give every client its `since` token.
  const startedInitial = performance.now();
  const tokens = await mapLimit(clients, 16, async (client, index) => (await call<SyncResponse>(syncPool, "GET", syncPath(filterOf(index), null, 0), { token: client.accessToken })).next_batch);
  log(`initial syncs done in ${Math.round(performance.now() - startedInitial)} ms`);

  const syncLoop = async (client: Session, clientIndex: number) => {
    let since = tokens[clientIndex];
    let consecutiveErrors = 0;
    while (!stopping) {
      try {
        const response = await call<SyncResponse>(syncPool, "GET", syncPath(filterOf(clientIndex), since, LONG_POLL_MS), { token: client.accessToken });
        const arrivedAt = performance.now();
        consecutiveErrors = 0;
        since = response.next_batch;
        tracker.handle(clientIndex, response, arrivedAt);
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

  let sends: SendFigures;
  try {
    const plan = { ...options, tracker, txnPrefix: `lat-${Date.now()}`, firstError: () => firstSyncError };
    await warmUp(plan, "long-polling clients");
    log(`all ${clients.length} clients are long-polling (${layout.label}); sending ${options.messages} messages at ${options.ratePerSecond}/s`);
    sends = await sendPaced(plan);
  } finally {
    stopping = true;
    await syncPool.destroy().catch(() => undefined);
    await Promise.allSettled(loops);
  }
  if (firstSyncError) console.error(`[bench] latency: ${syncErrors} sync errors, first: ${(firstSyncError as Error).message}`);
  return latencyResult(tracker, sends, { senders: options.senders.length, ratePerSecond: options.ratePerSecond, syncErrors });
}
