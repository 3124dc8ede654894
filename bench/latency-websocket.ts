import type { Pool } from "undici";
import { WebSocket } from "ws";
import { MAX_IN_FLIGHT_PER_SENDER, type LatencyResult } from "./latency.js";
import { mapLimit, sendMessage, type Session, type SyncResponse } from "./matrix-http.js";
import { Samples, summarise } from "./stats.js";
import { latencyResult, sleep } from "./latency-result.js";

export const SYNC_WEBSOCKET_PATH = "/_matrix/client/unstable/org.myelin.sync_ws";

export interface WebSocketLatencyOptions {
  /** http://127.0.0.1:port of the server. */
  baseUrl: string;
  sendPool: Pool;
  roomId: string;
  clients: Session[];
  senders: Session[];
  messages: number;
  ratePerSecond: number;
  drainMs: number;
  log: (line: string) => void;
}

const WARMUP_SEQ = -1;
const OPEN_CONCURRENCY = 50;

/** The bench's sync filter: the room's timeline only, members lazy-loaded (the same as the long-poll scenario). */
export function benchSyncFilter(roomId: string): Record<string, unknown> {
  return {
    presence: { types: [] },
    account_data: { types: [] },
    room: {
      rooms: [roomId],
      timeline: { limit: 50, lazy_load_members: true },
      state: { lazy_load_members: true },
      ephemeral: { types: [] },
      account_data: { types: [] },
    },
  };
}

/** A sync WebSocket that has sent its `sync` message; resolves once the server answered it, with the socket. */
export function openSyncSocket(
  baseUrl: string,
  session: Session,
  first: Record<string, unknown>,
  onSync: (response: SyncResponse, arrivedAt: number, bytes: number) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${SYNC_WEBSOCKET_PATH}`, {
    headers: { authorization: `Bearer ${session.accessToken}` },
    // BENCH_WS_DEFLATE=off: the client does not offer permessage-deflate, to see what compression costs.
    perMessageDeflate: process.env.BENCH_WS_DEFLATE !== "off",
  });
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_request, response) => reject(new Error(`sync socket upgrade answered ${response.statusCode}`)));
    ws.once("error", reject);
    ws.once("open", () => {
      ws.send(JSON.stringify({ type: "sync", ...first }));
      resolve(ws);
    });
    ws.on("message", (data) => {
      const arrivedAt = performance.now();
      const message = JSON.parse(String(data)) as { type: string; response?: SyncResponse; errcode?: string; error?: string };
      if (message.type === "sync" && message.response) {
        // Stored as soon as it is read: acknowledge at once, as a client that keeps its store in memory would.
        ws.send(JSON.stringify({ type: "ack", next_batch: message.response.next_batch }));
        onSync(message.response, arrivedAt, (data as Buffer).length);
      } else if (message.type === "error") {
        ws.emit("error", new Error(`sync socket error ${message.errcode}: ${message.error}`));
      }
    });
  });
}

/**
 * The latency scenario of bench/latency.ts with every client on the sync WebSocket instead of long-polling:
 * each client opens a socket, gets its initial sync pushed, acknowledges every response; the senders send at
 * a steady total rate over HTTP. Latency of a (message, client) pair = arrival of the frame holding it minus
 * the moment the send request started.
 */
export async function runWebSocketLatency(options: WebSocketLatencyOptions): Promise<LatencyResult> {
  const { baseUrl, sendPool, roomId, clients, senders, messages, log } = options;
  const filter = benchSyncFilter(roomId);
  const sendStart = new Float64Array(messages).fill(Number.NaN);
  const delivered = new Uint8Array(messages * clients.length);
  const latencies = new Samples();
  const warmedUp = new Uint8Array(clients.length);
  let warmedUpCount = 0;
  let duplicates = 0;
  let limitedTimelines = 0;
  let syncResponses = 0;
  let syncErrors = 0;
  let lastDeliveryAt = 0;
  let firstError: unknown = null;
  let stopping = false;
  // Sizes of the responses pushed during the measured sends (as JSON, before compression on the wire).
  const pushedBytes = new Samples();

  const handle = (clientIndex: number, response: SyncResponse, arrivedAt: number) => {
    syncResponses++;
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

  const startedOpening = performance.now();
  const sockets = await mapLimit(clients, OPEN_CONCURRENCY, async (client, index) => {
    let initial!: () => void;
    const initialArrived = new Promise<void>((resolve) => (initial = resolve));
    const ws = await openSyncSocket(baseUrl, client, { filter }, (response, arrivedAt, bytes) => {
      if (warmedUpCount === clients.length) pushedBytes.push(bytes);
      handle(index, response, arrivedAt);
      initial();
    });
    ws.on("error", (error) => {
      syncErrors++;
      firstError ??= error;
    });
    ws.on("close", (code) => {
      if (code !== 1000 && code !== 1005 && !stopping) {
        syncErrors++;
        firstError ??= new Error(`sync socket closed with ${code}`);
      }
    });
    await initialArrived;
    return ws;
  });
  log(`${sockets.length} sync sockets open with their initial sync in ${Math.round(performance.now() - startedOpening)} ms`);
  // As in the long-poll scenario, the initial syncs are not counted as responses (nor their limited timelines).
  syncResponses = 0;
  limitedTimelines = 0;

  const ackTimes = new Samples();
  let failedSends = 0;
  let t0 = 0;
  let sendsDoneAt = 0;
  try {
    await sendMessage(sendPool, senders[0], roomId, `ws-warmup-${Date.now()}`, { msgtype: "m.text", body: "warm-up", bench_seq: WARMUP_SEQ });
    const warmupDeadline = performance.now() + 60_000;
    while (warmedUpCount < clients.length && performance.now() < warmupDeadline) await sleep(50);
    if (warmedUpCount < clients.length) {
      const cause = firstError ? `; first error: ${(firstError as Error).message}` : "";
      throw new Error(`only ${warmedUpCount}/${clients.length} sockets received the warm-up message within 60 s${cause}`);
    }
    log(`all ${clients.length} sockets are live; sending ${messages} messages at ${options.ratePerSecond}/s`);

    // Open-loop pacing, as in bench/latency.ts.
    const intervalMs = 1000 / options.ratePerSecond;
    t0 = performance.now() + 20;
    let sendFailure: unknown = null;
    const sendOne = async (sender: Session, seq: number) => {
      sendStart[seq] = performance.now();
      try {
        await sendMessage(sendPool, sender, roomId, `wslat-${seq}-${Date.now()}`, { msgtype: "m.text", body: `latency ${seq}`, bench_seq: seq });
        ackTimes.push(performance.now() - sendStart[seq]);
      } catch (error) {
        sendStart[seq] = Number.NaN;
        if (failedSends++ === 0) console.error(`[bench] websocket latency: send failed: ${(error as Error).message}`);
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
    stopping = true;
    for (const ws of sockets) ws.terminate();
  }
  const sizes = summarise(pushedBytes.values());
  log(`pushed responses: ${sizes.count}, size p50 ${sizes.p50} B, p99 ${sizes.p99} B, max ${sizes.max} B`);
  if (firstError) console.error(`[bench] websocket latency: ${syncErrors} socket errors, first: ${(firstError as Error).message}`);
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
