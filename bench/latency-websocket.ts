import { WebSocket } from "ws";
import { benchSyncFilter } from "./bench-layout.js";
import { DeliveryTracker } from "./delivery-tracker.js";
import { mapLimit, type Session, type SyncResponse } from "./matrix-http.js";
import { Samples, summarise } from "./stats.js";
import { latencyResult, type LatencyResult } from "./latency-result.js";
import { sendPaced, warmUp, type LatencyRunOptions, type SendFigures } from "./paced-sends.js";

export const SYNC_WEBSOCKET_PATH = "/_matrix/client/unstable/org.myelin.sync_ws";

export interface WebSocketLatencyOptions extends LatencyRunOptions {
  /** http://127.0.0.1:port of the server. */
  baseUrl: string;
}

const OPEN_CONCURRENCY = 50;

/**
 * The load generator plays every client on one thread. Were each frame parsed, acknowledged and tallied as it
 * is read, each client's arrival stamp would wait for the work of every client read before it, work that real
 * devices do side by side. So a frame is stamped as it is read, and handled once the frames already readable
 * have been stamped too (setImmediate runs after the poll phase that read them). The acknowledgements still
 * go out, a fraction of a millisecond later, as a phone's would after its own processing.
 */
export class StampedFrames {
  private readonly handlers: Array<() => void> = [];
  private scheduled = false;

  add(handle: () => void): void {
    this.handlers.push(handle);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const handler of this.handlers.splice(0)) handler();
    });
  }
}

/** A sync WebSocket that has sent its `sync` message; resolves once the server answered it, with the socket. */
export function openSyncSocket(
  baseUrl: string,
  session: Session,
  first: Record<string, unknown>,
  onSync: (response: SyncResponse, arrivedAt: number, bytes: number) => void,
  /** Defers each frame's handling past the stamps of the frames read with it (latency runs); inline without. */
  stamped?: StampedFrames,
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
      if (stamped) stamped.add(() => handleFrame(data as Buffer, arrivedAt));
      else handleFrame(data as Buffer, arrivedAt);
    });
    const handleFrame = (data: Buffer, arrivedAt: number) => {
      const message = JSON.parse(String(data)) as { type: string; response?: SyncResponse; errcode?: string; error?: string };
      if (message.type === "sync" && message.response) {
        // Stored as soon as it is read: acknowledge at once, as a client that keeps its store in memory would.
        ws.send(JSON.stringify({ type: "ack", next_batch: message.response.next_batch }));
        onSync(message.response, arrivedAt, (data as Buffer).length);
      } else if (message.type === "error") {
        ws.emit("error", new Error(`sync socket error ${message.errcode}: ${message.error}`));
      }
    };
  });
}

/**
 * The latency scenario of bench/latency.ts with every client on the sync WebSocket instead of long-polling:
 * each client opens a socket, gets its initial sync pushed, acknowledges every response; the senders send at
 * a steady total rate over HTTP. Latency of a (message, client) pair = arrival of the frame holding it minus
 * the moment the send request started.
 */
export async function runWebSocketLatency(options: WebSocketLatencyOptions): Promise<LatencyResult> {
  const { baseUrl, layout, clients, log } = options;
  const tracker = new DeliveryTracker(layout, options.messages);
  let syncErrors = 0;
  let firstError: unknown = null;
  let stopping = false;
  // Sizes of the responses pushed during the measured sends (as JSON, before compression on the wire).
  const pushedBytes = new Samples();

  const stamped = new StampedFrames();
  const startedOpening = performance.now();
  const sockets = await mapLimit(clients, OPEN_CONCURRENCY, async (client, index) => {
    let initial!: () => void;
    const initialArrived = new Promise<void>((resolve) => (initial = resolve));
    const filter = benchSyncFilter(layout.rooms[layout.clientRoom[index]]);
    const ws = await openSyncSocket(baseUrl, client, { filter }, (response, arrivedAt, bytes) => {
      if (tracker.allWarmedUp) pushedBytes.push(bytes);
      tracker.handle(index, response, arrivedAt);
      initial();
    }, stamped);
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
  tracker.resetResponseCounts();

  let sends: SendFigures;
  try {
    const plan = { ...options, tracker, txnPrefix: `wslat-${Date.now()}`, firstError: () => firstError };
    await warmUp(plan, "sockets");
    log(`all ${clients.length} sockets are live (${layout.label}); sending ${options.messages} messages at ${options.ratePerSecond}/s`);
    sends = await sendPaced(plan);
  } finally {
    stopping = true;
    for (const ws of sockets) ws.terminate();
  }
  const sizes = summarise(pushedBytes.values());
  log(`pushed responses: ${sizes.count}, size p50 ${sizes.p50} B, p99 ${sizes.p99} B, max ${sizes.max} B`);
  if (firstError) console.error(`[bench] websocket latency: ${syncErrors} socket errors, first: ${(firstError as Error).message}`);
  return latencyResult(tracker, sends, { senders: options.senders.length, ratePerSecond: options.ratePerSecond, syncErrors });
}
