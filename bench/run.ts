/**
 * Myelin load benchmark (npm run bench [-- options]): starts a homeserver child process, registers users,
 * measures send throughput and sync delivery latency over loopback HTTP, samples the server's RSS, runs the
 * state-res benchmark, prints a table and one `BENCH_RESULT {...}` JSON line.
 *
 *   --clients N               syncing clients in the latency scenarios (500; env BENCH_CLIENTS)
 *   --room-size N             the latency scenarios run twice: with the clients in rooms of N (20; env
 *                             BENCH_ROOM_SIZE), each message waking one room, and with all of them in one
 *                             room, each message waking everyone (the fan-out worst case)
 *   --skip-one-room           run only the rooms-of-N layout
 *   --profile-latency DIR     write a CPU profile of the server during each latency run (only then) into DIR
 *   --senders M               paced senders in the latency scenario (10; env BENCH_SENDERS)
 *   --messages N              messages in the latency scenario (1000; env BENCH_MESSAGES)
 *   --rate R                  total send rate in the latency scenario, messages/s (20; env BENCH_RATE)
 *   --throughput-messages N   messages in the throughput scenario (6000: long enough that start-up and JIT warm-up do not dominate; env BENCH_THROUGHPUT_MESSAGES)
 *   --throughput-senders N    senders in the throughput scenario (10)
 *   --transport T             sync transport(s) of the latency scenario: longpoll, websocket or both (both;
 *                             env BENCH_TRANSPORT); the two run one after the other with the same clients
 *   --idle-connections N      idle connections of each transport for the memory-per-connection figure (the
 *                             number of clients); needs the server's pid
 *   --skip-idle               do not measure memory per idle connection
 *                             (env BENCH_WS_DEFLATE=off: the WebSocket clients do not offer compression)
 *   --embedded                use the embedded database even when Postgres answers
 *   --server-node-args="..."  extra node flags for the server (note the =), e.g. --server-node-args="--cpu-prof"
 *                             (env BENCH_SERVER_NODE_ARGS); without --cpu-prof-dir profiles go to a new
 *                             /tmp/myelin-bench-cpu-prof-* folder, printed at start
 *   --pg-async-commit         diagnostic: synchronous_commit=off on the bench database (not durable; labelled)
 *   --skip-state-res          do not run bench/state-res.ts
 *   --skip-federation         do not run bench/federation.ts (two in-process peers: inbound /send, remote join)
 *   --keep-files              keep the server's temp folder (config, log)
 *   --url URL [--pid PID]     benchmark a server that is already running on loopback (registration open, no
 *                             rate limits) instead of starting one; --pid enables RSS/CPU sampling
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runLatency, type LatencyResult } from "./latency.js";
import { MAX_IN_FLIGHT_PER_SENDER } from "./paced-sends.js";
import { oneRoomLayout, roomsOfLayout, type BenchLayout } from "./bench-layout.js";
import { openPool } from "./matrix-http.js";
import { measureCpu, readRssMb, RssSampler, type CpuShare } from "./memory.js";
import { setUpRoom } from "./room-setup.js";
import { externalServer, startBenchServer, type BenchServer } from "./server-process.js";
import { runStateResBench } from "./state-res.js";
import { federationBenchDriver, runFederationBench, type FederationFigure } from "./federation.js";
import { runThroughput, type ThroughputResult } from "./throughput.js";
import { runWebSocketLatency } from "./latency-websocket.js";
import { measureIdleConnections, type IdleConnectionFigure } from "./idle-connections.js";
import { inspectorArgument, profiled } from "./server-inspector.js";

const TARGETS = { throughputMsgPerSec: 2000, latencyP50Ms: 5, latencyP99Ms: 50 };
/** Issue D's targets for /sync over WebSocket. */
const WEBSOCKET_TARGETS = { latencyP50Ms: 3, latencyP99Ms: 30, idleConnectionKb: 20 };

const { values: args } = parseArgs({
  options: {
    clients: { type: "string" },
    "room-size": { type: "string" },
    "skip-one-room": { type: "boolean", default: false },
    "profile-latency": { type: "string" },
    senders: { type: "string" },
    messages: { type: "string" },
    rate: { type: "string" },
    "throughput-messages": { type: "string" },
    "throughput-senders": { type: "string" },
    transport: { type: "string" },
    "idle-connections": { type: "string" },
    "skip-idle": { type: "boolean", default: false },
    embedded: { type: "boolean", default: false },
    "server-node-args": { type: "string" },
    "skip-state-res": { type: "boolean", default: false },
    "skip-federation": { type: "boolean", default: false },
    "pg-async-commit": { type: "boolean", default: false },
    "keep-files": { type: "boolean", default: false },
    url: { type: "string" },
    pid: { type: "string" },
  },
});

function intOption(value: string | undefined, env: string | undefined, fallback: number, name: string): number {
  const raw = value ?? env;
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return parsed;
}

const config = {
  clients: Math.floor(intOption(args.clients, process.env.BENCH_CLIENTS, 500, "clients")),
  roomSize: Math.floor(intOption(args["room-size"], process.env.BENCH_ROOM_SIZE, 20, "room-size")),
  senders: Math.floor(intOption(args.senders, process.env.BENCH_SENDERS, 10, "senders")),
  messages: Math.floor(intOption(args.messages, process.env.BENCH_MESSAGES, 1000, "messages")),
  rate: intOption(args.rate, process.env.BENCH_RATE, 20, "rate"),
  throughputMessages: Math.floor(intOption(args["throughput-messages"], process.env.BENCH_THROUGHPUT_MESSAGES, 6000, "throughput-messages")),
  throughputSenders: Math.floor(intOption(args["throughput-senders"], undefined, 10, "throughput-senders")),
};
const transportOption = args.transport ?? process.env.BENCH_TRANSPORT ?? "both";
if (!["longpoll", "websocket", "both"].includes(transportOption)) throw new Error(`--transport must be longpoll, websocket or both, got "${transportOption}"`);
const transports = (transportOption === "both" ? ["longpoll", "websocket"] : [transportOption]) as Transport[];
const idleConnections = Math.floor(intOption(args["idle-connections"], undefined, config.clients, "idle-connections"));
const serverNodeArgs = (args["server-node-args"] ?? process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const errors: string[] = [];
const memory: Record<string, number | null> = { startedMb: null, beforeLoadMb: null, peakMb: null, afterMb: null };
let throughput: ThroughputResult | null = null;
type Transport = "longpoll" | "websocket";
interface LatencyRun {
  transport: Transport;
  layout: string;
  result: LatencyResult | null;
  cpu?: CpuShare;
}
const latencyRuns: LatencyRun[] = [];
let idleFigures: IdleConnectionFigure[] = [];
let stateRes: { name: string; ms: number }[] = [];
let federation: FederationFigure[] = [];
let federationDatabase: string | null = null;
let databaseKind = "not started";
const cpuShare: Record<string, CpuShare> = {};
const loadAverageAtStart = loadavg()[0];
let setupMs: Record<string, number> = {};
const memberCount = Math.max(config.senders, config.throughputSenders) + config.clients;

let server: BenchServer | null = null;
const onSignal = (signal: NodeJS.Signals) => {
  log(`${signal}: stopping the server`);
  void (server?.dispose() ?? Promise.resolve()).finally(() => process.exit(130));
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

const measuringIdle = !args["skip-idle"] && !args.url;
const profileDir = args["profile-latency"];
const inspector = (measuringIdle || profileDir) && !args.url ? await inspectorArgument() : null;
try {
  server = args.url
    ? await externalServer(args.url, args.pid ? Number(args.pid) : null)
    : await startBenchServer({
        forceEmbedded: args.embedded ?? false,
        // The idle-connection figure forces GCs through the server's inspector (idle, it costs nothing).
        nodeArgs: inspector ? [...serverNodeArgs, inspector.argument] : serverNodeArgs,
        keepFiles: args["keep-files"] ?? false,
        asyncCommit: args["pg-async-commit"] ?? false,
      });
  databaseKind = server.database;
  log(`server pid ${server.pid} at ${server.baseUrl}, database ${server.database}`);
  memory.startedMb = readRssMb(server.pid);

  const setupPool = openPool(server.baseUrl, 16);
  const sendPool = openPool(server.baseUrl, Math.max(config.senders * MAX_IN_FLIGHT_PER_SENDER, config.throughputSenders) + 4);
  let sampler: RssSampler | null = null;
  try {
    const senderCount = Math.max(config.senders, config.throughputSenders);
    log(`setting up: ${senderCount} senders + ${config.clients} readers in one room`);
    const room = await setUpRoom(setupPool, senderCount, config.clients, config.roomSize, log);
    setupMs = room.setupMs;
    if (measuringIdle && server.pid !== null) {
      try {
        const idleClients = room.readers.slice(0, idleConnections);
        log(`memory per idle connection: ${idleClients.length} of each of ${transports.join(", ")}`);
        idleFigures = await measureIdleConnections({
          baseUrl: server.baseUrl,
          pid: server.pid,
          roomId: room.roomId,
          clients: idleClients,
          sender: room.senders[0],
          transports,
          inspectorPort: inspector?.port ?? null,
          log,
        });
      } catch (error) {
        errors.push(`idle connections: ${(error as Error).message}`);
      }
    }
    memory.beforeLoadMb = readRssMb(server.pid);
    sampler = new RssSampler(server.pid);

    try {
      log(`throughput: ${config.throughputSenders} senders, ${config.throughputMessages} messages`);
      const measured = await measureCpu(server.pid, () =>
        runThroughput(sendPool, room.roomId, room.senders.slice(0, config.throughputSenders), config.throughputMessages, 180_000),
      );
      throughput = measured.result;
      cpuShare.throughput = measured.cpu;
    } catch (error) {
      errors.push(`throughput: ${(error as Error).message}`);
    }

    const layouts: BenchLayout[] = [];
    if (room.smallRooms.length) layouts.push(roomsOfLayout(room.smallRooms, config.clients, config.roomSize));
    if (!args["skip-one-room"] || layouts.length === 0) layouts.push(oneRoomLayout(room.roomId, config.clients));
    for (const layout of layouts) {
      for (const transport of transports) {
        const run: LatencyRun = { transport, layout: layout.label, result: null };
        latencyRuns.push(run);
        const common = {
          sendPool,
          layout,
          clients: room.readers,
          senders: room.senders.slice(0, config.senders),
          messages: config.messages,
          ratePerSecond: config.rate,
          drainMs: 15_000,
          log,
        };
        log(`latency, ${transport === "longpoll" ? "long-poll" : "WebSocket"}: ${layout.label}, ${config.senders} senders`);
        const syncPool = transport === "longpoll" ? openPool(server.baseUrl, config.clients + 16) : null;
        try {
          const latencyRun = () => (syncPool ? runLatency({ ...common, syncPool }) : runWebSocketLatency({ ...common, baseUrl: server!.baseUrl }));
          const profileName = `latency-${transport}-${layout.rooms.length}-rooms`;
          const measured = await measureCpu(server.pid, () =>
            profileDir && inspector ? profiled(inspector.port, profileDir, profileName, latencyRun) : latencyRun(),
          );
          run.result = measured.result;
          run.cpu = measured.cpu;
        } catch (error) {
          errors.push(`latency (${transport}, ${layout.label}): ${(error as Error).message}`);
        } finally {
          await syncPool?.destroy().catch(() => undefined);
        }
      }
    }
  } catch (error) {
    errors.push(`setup: ${(error as Error).message}`);
  } finally {
    await Promise.allSettled([setupPool.close(), sendPool.close()]);
    memory.peakMb = sampler?.stop() ?? null;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    memory.afterMb = readRssMb(server.pid);
  }
} catch (error) {
  errors.push(`server: ${(error as Error).message}`);
} finally {
  if (errors.length && server) log(`server log tail:\n${server.logTail(20)}`);
  try {
    await server?.dispose();
  } catch (error) {
    errors.push(`cleanup: ${(error as Error).message}`);
  }
}

if (!args["skip-state-res"]) {
  try {
    log("state-res benchmark");
    stateRes = await runStateResBench();
  } catch (error) {
    errors.push(`state-res: ${(error as Error).message}`);
  }
}

if (!args["skip-federation"]) {
  try {
    log("federation benchmark");
    federation = await runFederationBench({ forceEmbedded: args.embedded ?? false, log: (line) => log(`federation: ${line}`) });
  } catch (error) {
    errors.push(`federation: ${(error as Error).message}`);
  }
  federationDatabase = federationBenchDriver();
}

report();
process.exitCode = errors.length ? 1 : 0;

function report(): void {
  const rows: Array<[string, string, string, string]> = [];
  const row = (label: string, value: unknown, target = "", met = "") => rows.push([label, String(value ?? "-"), target, met]);
  const yesNo = (ok: boolean) => (ok ? "yes" : "NO");
  const perUnitRow = (label: string, share: CpuShare | undefined, units: number) =>
    share?.serverCpuSeconds != null && units > 0 && row(label, Math.round((share.serverCpuSeconds * 1e5) / units) / 100);
  const cpuRow = (share: CpuShare | undefined) => share && row("  CPU: server / load generator (% of one core)", `${share.serverPct ?? "-"} / ${share.loadGeneratorPct}`);
  const cpu = cpus();
  console.log(`\nMyelin benchmark — node ${process.version}, ${cpu.length} CPU core(s) (${cpu[0]?.model ?? "?"})`);
  console.log(`database: ${databaseKind}. Load generator and server share these cores over loopback HTTP; figures are lower bounds.`);
  console.log(
    `1-minute load average at start / end: ${loadAverageAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${cpu.length} cores ` +
      `(other work on the machine skews wall-clock figures; CPU-per-unit figures less so).`,
  );
  console.log(`setup (ms): ${JSON.stringify(setupMs)}\n`);

  if (throughput) {
    row(`throughput: ${throughput.senders} senders, one room of ${memberCount} members (readers idle)`, `${throughput.messagesPerSecond} msg/s`, `>= ${TARGETS.throughputMsgPerSec} msg/s`, yesNo(throughput.messagesPerSecond >= TARGETS.throughputMsgPerSec));
    row(`  ${throughput.messages} messages acknowledged in ${throughput.elapsedMs} ms`, "");
    row("  send round trip p50 / p95 / p99 (ms)", `${throughput.sendLatencyMs.p50} / ${throughput.sendLatencyMs.p95} / ${throughput.sendLatencyMs.p99}`);
    if (throughput.failed) row("  failed sends", throughput.failed);
    cpuRow(cpuShare.throughput);
    perUnitRow("  server CPU per acknowledged send (ms)", cpuShare.throughput, throughput.messages);
  } else row("throughput", "not measured (see errors)");

  for (const run of latencyRuns) {
    const r = run.result;
    const longpoll = run.transport === "longpoll";
    const name = `latency, ${longpoll ? "long-poll" : "WebSocket"}: ${run.layout}, ${config.senders} senders (open-loop pacing)`;
    if (!r) {
      row(name, "not measured (see errors)");
      continue;
    }
    const targets = longpoll ? { p50: TARGETS.latencyP50Ms, p99: TARGETS.latencyP99Ms } : { p50: WEBSOCKET_TARGETS.latencyP50Ms, p99: WEBSOCKET_TARGETS.latencyP99Ms };
    const l = r.deliveryLatencyMs;
    row(name, `p50 ${l.p50} ms`, `p50 <= ${targets.p50} ms`, yesNo(l.p50 <= targets.p50));
    row("", `p95 ${l.p95} ms`);
    row("", `p99 ${l.p99} ms`, `p99 <= ${targets.p99} ms`, yesNo(l.p99 <= targets.p99));
    row("", `max ${l.max} ms, mean ${l.mean} ms`);
    row("  messages/s achieved (target rate)", `${r.messagesPerSecond} (${r.targetRatePerSecond})`);
    row("  deliveries/s", r.deliveriesPerSecond);
    row("  deliveries / expected", `${r.deliveries} / ${r.expectedDeliveries}`);
    row("  missing / duplicate deliveries", `${r.missingDeliveries} / ${r.duplicateDeliveries}`);
    row(`  ${longpoll ? "sync" : "pushed"} responses / errors / limited timelines`, `${r.syncResponses} / ${r.syncErrors} / ${r.limitedTimelines}`);
    row("  send ack p50 / p99 (ms)", `${r.sendAckMs.p50} / ${r.sendAckMs.p99}`);
    cpuRow(run.cpu);
    perUnitRow(`  server CPU per ${longpoll ? "sync" : "pushed"} response (ms, sends included)`, run.cpu, r.syncResponses);
  }

  for (const figure of idleFigures) {
    const label = figure.transport === "websocket" ? "WebSocket" : "long-poll";
    const met = figure.transport === "websocket" ? yesNo(figure.perConnectionKb <= WEBSOCKET_TARGETS.idleConnectionKb) : "";
    const target = figure.transport === "websocket" ? `<= ${WEBSOCKET_TARGETS.idleConnectionKb} KB` : "";
    const heap = figure.heapPerConnectionKb === null ? "" : `, JS heap +${figure.heapPerConnectionKb} KB each`;
    row(`server memory per idle ${label} connection (${figure.connections} parked; RSS ${figure.rssBeforeMb} -> ${figure.rssAfterMb} MB${heap}; after full GCs)`, `${figure.perConnectionKb} KB`, target, met);
    if (figure.afterOnePushPerConnectionKb !== undefined) row(`  the same after one response pushed to each`, `${figure.afterOnePushPerConnectionKb} KB`, target, yesNo(figure.afterOnePushPerConnectionKb <= WEBSOCKET_TARGETS.idleConnectionKb));
  }

  row("server RSS at start / before load / peak / after (MB)", [memory.startedMb, memory.beforeLoadMb, memory.peakMb, memory.afterMb].map((v) => v ?? "-").join(" / "));
  for (const result of stateRes) row(result.name, `${result.ms} ms`);
  if (federationDatabase) row(`federation peers' database: ${federationDatabase}`, "");
  for (const figure of federation) row(figure.name, `${figure.value} ${figure.unit}`);

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["figure", "value", "target"][i].length));
  const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd();
  console.log(line(["figure", "value", "target", "met"]));
  console.log(line(widths.map((w) => "-".repeat(w)).concat("---")));
  for (const r of rows) console.log(line(r));
  if (latencyRuns.length || idleFigures.length) printTransportComparison();
  if (errors.length) console.log(`\nERRORS:\n${errors.map((e) => `  - ${e}`).join("\n")}`);

  const result = {
    node: process.version,
    cpus: cpu.length,
    database: databaseKind,
    config,
    setupMs,
    targets: TARGETS,
    throughput,
    latency: latencyRuns,
    idleConnections: idleFigures,
    transports,
    websocketTargets: WEBSOCKET_TARGETS,
    met: {
      throughput: throughput ? throughput.messagesPerSecond >= TARGETS.throughputMsgPerSec : null,
      latency: latencyRuns.map((run) => {
        const targets = run.transport === "longpoll" ? { p50: TARGETS.latencyP50Ms, p99: TARGETS.latencyP99Ms } : { p50: WEBSOCKET_TARGETS.latencyP50Ms, p99: WEBSOCKET_TARGETS.latencyP99Ms };
        const l = run.result?.deliveryLatencyMs;
        return { transport: run.transport, layout: run.layout, p50: l ? l.p50 <= targets.p50 : null, p99: l ? l.p99 <= targets.p99 : null };
      }),
      websocketIdleConnection: idleFigures.find((f) => f.transport === "websocket")?.perConnectionKb ?? null,
    },
    memory,
    cpuShare,
    loadAverageAtStart,
    stateRes,
    federation,
    federationDatabase,
    errors,
  };
  console.log(`\nBENCH_RESULT ${JSON.stringify(result)}`);
}

/** Long-poll and WebSocket side by side, one column per (layout, transport): the same clients and senders. */
function printTransportComparison(): void {
  const idle = (transport: Transport) => idleFigures.find((f) => f.transport === transport);
  const runs: LatencyRun[] = latencyRuns.length ? latencyRuns : transports.map((transport) => ({ transport, layout: "-", result: null }));
  const column = (run: LatencyRun) => {
    const result = run.result;
    const l = result?.deliveryLatencyMs;
    const share = run.cpu;
    const cpuPerDelivery = share?.serverCpuSeconds != null && result && result.deliveries > 0 ? Math.round((share.serverCpuSeconds * 1e6) / result.deliveries) / 1000 : null;
    const figure = idle(run.transport);
    return [
      run.transport === "longpoll" ? "long-poll" : "WebSocket",
      run.layout,
      result ? String(result.clients) : "-",
      l ? `${l.p50} / ${l.p95} / ${l.p99}` : "-",
      result ? `${result.messagesPerSecond}` : "-",
      result ? `${result.deliveriesPerSecond}` : "-",
      result ? `${result.missingDeliveries} / ${result.duplicateDeliveries}` : "-",
      cpuPerDelivery === null ? "-" : String(cpuPerDelivery),
      figure ? String(figure.perConnectionKb) : "-",
    ];
  };
  const labels = [
    "transport",
    "layout",
    "connected clients",
    "send-to-delivery p50 / p95 / p99 (ms)",
    "messages/s",
    "deliveries/s",
    "missing / duplicate deliveries",
    "server CPU per delivery (ms)",
    "server memory per idle connection (KB)",
  ];
  const columns = runs.map(column);
  const widths = [Math.max(...labels.map((l) => l.length)), ...columns.map((c) => Math.max(...c.map((v) => v.length)))];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  console.log("\nlong-poll and WebSocket side by side (run one after the other; figures under load are approximate):");
  labels.forEach((label, i) => {
    console.log(line([label, ...columns.map((c) => c[i])]));
    if (i === 1) console.log(line(widths.map((w) => "-".repeat(w))));
  });
}
