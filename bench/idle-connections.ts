import { readFileSync } from "node:fs";
import type { WebSocket } from "ws";
import { collectGarbage } from "./server-inspector.js";
import { openSyncSocket } from "./latency-websocket.js";
import { benchSyncFilter } from "./bench-layout.js";
import { call, mapLimit, openPool, sendMessage, syncPath, type Session, type SyncResponse } from "./matrix-http.js";

export interface IdleConnectionFigure {
  transport: "websocket" | "longpoll";
  connections: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** JS heap growth per connection after a full GC (null without the inspector). */
  heapPerConnectionKb: number | null;
  /**
   * The larger of (RSS with the connections parked - RSS before) / connections and the JS heap growth per
   * connection: RSS alone can read low when new objects fill heap pages that earlier garbage left free.
   */
  perConnectionKb: number;
  /** WebSocket only: the same after one response pushed to every connection. */
  afterOnePushPerConnectionKb?: number;
}

export interface IdleConnectionOptions {
  baseUrl: string;
  pid: number;
  roomId: string;
  clients: Session[];
  /** Sends the one message that every idle WebSocket receives. */
  sender: Session;
  transports: Array<"websocket" | "longpoll">;
  /** The server's inspector port (node --inspect), used to force a full GC before each sample. */
  inspectorPort: number | null;
  log: (line: string) => void;
}

const SETTLE_MS = 3_000;
const OPEN_CONCURRENCY = 50;

/**
 * Server memory per idle connection: memory with N connections parked minus memory before, over N. Every
 * client first gets a since token over HTTP, so the connections measured are parked waits, not initial syncs
 * in progress. Before each sample the server runs a full GC (through its inspector, HeapProfiler.collectGarbage),
 * so garbage from the setup does not count either way. RSS only grows where the heap needs new pages, so the
 * figure is the larger of the RSS and the JS heap growth. The WebSocket phase runs first.
 */
export async function measureIdleConnections(options: IdleConnectionOptions): Promise<IdleConnectionFigure[]> {
  const { baseUrl, pid, roomId, clients, log } = options;
  const sample = () => settledMemory(pid, options.inspectorPort);
  const filter = benchSyncFilter(roomId);
  const filterText = JSON.stringify(filter);
  const setupPool = openPool(baseUrl, 16);
  const figures: IdleConnectionFigure[] = [];
  try {
    let tokens = await mapLimit(clients, 16, async (client) => (await call<SyncResponse>(setupPool, "GET", syncPath(filterText, null, 0), { token: client.accessToken })).next_batch);

    if (options.transports.includes("websocket")) {
      const before = await sample();
      const latest = [...tokens];
      let pushed = 0;
      const sockets: WebSocket[] = await mapLimit(clients, OPEN_CONCURRENCY, (client, index) =>
        openSyncSocket(baseUrl, client, { filter, since: tokens[index] }, (response) => {
          latest[index] = response.next_batch;
          pushed++;
        }),
      );
      try {
        const figure = figureOf("websocket", before, await sample(), sockets.length);
        await sendMessage(setupPool, options.sender, roomId, `idle-push-${Date.now()}`, { msgtype: "m.text", body: "one push to every idle socket" });
        const deadline = performance.now() + 60_000;
        while (pushed < sockets.length && performance.now() < deadline) await sleep(50);
        figure.afterOnePushPerConnectionKb = figureOf("websocket", before, await sample(), sockets.length).perConnectionKb;
        figures.push(figure);
        log(`idle WebSocket: ${figure.perConnectionKb} KB per connection parked, ${figure.afterOnePushPerConnectionKb} KB after one push`);
      } finally {
        for (const ws of sockets) ws.close();
      }
      tokens = latest;
    }

    if (options.transports.includes("longpoll")) {
      const before = await sample();
      const pollPool = openPool(baseUrl, clients.length + 16);
      const polls = clients.map((client, index) =>
        call(pollPool, "GET", syncPath(filterText, tokens[index], 60_000), { token: client.accessToken }).catch(() => undefined),
      );
      try {
        const figure = figureOf("longpoll", before, await sample(), clients.length);
        figures.push(figure);
        log(`idle long-poll: ${figure.perConnectionKb} KB per parked request`);
      } finally {
        await pollPool.destroy().catch(() => undefined);
        await Promise.allSettled(polls);
      }
    }
  } finally {
    await setupPool.close().catch(() => undefined);
  }
  await sleep(SETTLE_MS);
  return figures;
}

interface MemorySample {
  rssMb: number;
  heapMb: number | null;
}

function figureOf(transport: IdleConnectionFigure["transport"], before: MemorySample, after: MemorySample, connections: number): IdleConnectionFigure {
  const perConnection = (beforeMb: number, afterMb: number) => Math.round(((afterMb - beforeMb) * 1024 * 10) / connections) / 10;
  const rss = perConnection(before.rssMb, after.rssMb);
  const heap = before.heapMb === null || after.heapMb === null ? null : perConnection(before.heapMb, after.heapMb);
  return { transport, connections, rssBeforeMb: before.rssMb, rssAfterMb: after.rssMb, heapPerConnectionKb: heap, perConnectionKb: Math.max(rss, heap ?? rss) };
}

/** Memory once the server has had time to finish what it was doing, after a full GC: the median of a few RSS samples. */
async function settledMemory(pid: number, inspectorPort: number | null): Promise<MemorySample> {
  await sleep(SETTLE_MS);
  const heapMb = inspectorPort === null ? null : await collectGarbage(inspectorPort);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(readRssKb(pid) / 1024);
    await sleep(200);
  }
  samples.sort((a, b) => a - b);
  return { rssMb: Math.round(samples[2] * 100) / 100, heapMb };
}

function readRssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
