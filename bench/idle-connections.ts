import { readFileSync } from "node:fs";
import type { WebSocket } from "ws";
import { benchSyncFilter, openSyncSocket } from "./latency-websocket.js";
import { call, mapLimit, openPool, sendMessage, syncPath, type Session, type SyncResponse } from "./matrix-http.js";

export interface IdleConnectionFigure {
  transport: "websocket" | "longpoll";
  connections: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** (RSS with the connections parked - RSS before) / connections. */
  perConnectionKb: number;
  /** WebSocket only: the same after one message pushed to every connection (its zlib state now exists). */
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
  log: (line: string) => void;
}

const SETTLE_MS = 3_000;
const OPEN_CONCURRENCY = 50;

/**
 * Server memory per idle connection: RSS with N connections parked minus RSS before, over N. Every client first
 * gets a since token over HTTP, so the connections measured are parked waits, not initial syncs in progress.
 * The WebSocket phase runs first, on a heap that has not yet seen the long-polls' garbage; RSS only grows
 * where the heap needs new pages, so the later phase may reuse pages the earlier one freed and read low.
 */
export async function measureIdleConnections(options: IdleConnectionOptions): Promise<IdleConnectionFigure[]> {
  const { baseUrl, pid, roomId, clients, log } = options;
  const filter = benchSyncFilter(roomId);
  const filterText = JSON.stringify(filter);
  const setupPool = openPool(baseUrl, 16);
  const figures: IdleConnectionFigure[] = [];
  try {
    let tokens = await mapLimit(clients, 16, async (client) => (await call<SyncResponse>(setupPool, "GET", syncPath(filterText, null, 0), { token: client.accessToken })).next_batch);

    if (options.transports.includes("websocket")) {
      const before = await settledRssMb(pid);
      const latest = [...tokens];
      let pushed = 0;
      const sockets: WebSocket[] = await mapLimit(clients, OPEN_CONCURRENCY, (client, index) =>
        openSyncSocket(baseUrl, client, { filter, since: tokens[index] }, (response) => {
          latest[index] = response.next_batch;
          pushed++;
        }),
      );
      try {
        const after = await settledRssMb(pid);
        const figure: IdleConnectionFigure = { transport: "websocket", connections: sockets.length, rssBeforeMb: before, rssAfterMb: after, perConnectionKb: perConnectionKb(before, after, sockets.length) };
        await sendMessage(setupPool, options.sender, roomId, `idle-push-${Date.now()}`, { msgtype: "m.text", body: "one push to every idle socket" });
        const deadline = performance.now() + 60_000;
        while (pushed < sockets.length && performance.now() < deadline) await sleep(50);
        figure.afterOnePushPerConnectionKb = perConnectionKb(before, await settledRssMb(pid), sockets.length);
        figures.push(figure);
        log(`idle WebSocket: ${figure.perConnectionKb} KB per connection parked, ${figure.afterOnePushPerConnectionKb} KB after one push`);
      } finally {
        for (const ws of sockets) ws.close();
      }
      tokens = latest;
    }

    if (options.transports.includes("longpoll")) {
      const before = await settledRssMb(pid);
      const pollPool = openPool(baseUrl, clients.length + 16);
      const polls = clients.map((client, index) =>
        call(pollPool, "GET", syncPath(filterText, tokens[index], 60_000), { token: client.accessToken }).catch(() => undefined),
      );
      try {
        const after = await settledRssMb(pid);
        const figure: IdleConnectionFigure = { transport: "longpoll", connections: clients.length, rssBeforeMb: before, rssAfterMb: after, perConnectionKb: perConnectionKb(before, after, clients.length) };
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

function perConnectionKb(beforeMb: number, afterMb: number, connections: number): number {
  return Math.round(((afterMb - beforeMb) * 1024 * 10) / connections) / 10;
}

/** The median of a few RSS samples once the server has had time to finish what it was doing. */
async function settledRssMb(pid: number): Promise<number> {
  await sleep(SETTLE_MS);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(readRssKb(pid) / 1024);
    await sleep(200);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[2] * 100) / 100;
}

function readRssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
