/**
 * Myelin load benchmark (npm run bench [-- options]): starts a homeserver child process, registers users,
 * measures send throughput, the machine floor (bench/machine-floor.ts) and sync delivery latency over loopback
 * HTTP, samples the server's RSS, runs the state-res benchmark, prints a table and one `BENCH_RESULT {...}` JSON line.
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
 *   --push-rules-off          diagnostic: the server runs with push.enabled false (no push evaluation, no counts;
 *                             labelled), to see what push rules cost the latency scenarios
 *   --skip-state-res          do not run bench/state-res.ts
 *   --skip-federation         do not run bench/federation.ts (two in-process peers: inbound /send, remote join)
 *   --skip-pusher-fanout      do not run bench/pusher-fanout.ts (one message into a 1,000-member room where every
 *                             member has a pusher: notifications/s and time to the last, beside the machine floor)
 *   --skip-push               do not run bench/push-evaluation.ts (CPU per message into a 1,000-member room, push
 *                             rules on and off)
 *   --skip-media              do not run bench/media.ts (its own server: 10 MiB upload and download throughput
 *                             and thumbnails per second, each beside the node:fs and sharp floor of the same bytes)
 *   --keep-files              keep the server's temp folder (config, log)
 *   --url URL [--pid PID]     benchmark a server that is already running on loopback (registration open, no
 *                             rate limits) instead of starting one; --pid enables RSS/CPU sampling
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runLatency } from "./latency.js";
import { MAX_IN_FLIGHT_PER_SENDER } from "./paced-sends.js";
import { oneRoomLayout, roomsOfLayout, type BenchLayout } from "./bench-layout.js";
import { openPool } from "./matrix-http.js";
import { measureCpu, readRssMb, RssSampler, type CpuShare } from "./memory.js";
import { setUpRoom } from "./room-setup.js";
import { externalServer, startBenchServer, type BenchServer } from "./server-process.js";
import { runStateResBench } from "./state-res.js";
import { federationBenchDriver, runFederationBench, type FederationFigure } from "./federation.js";
import { pushBenchDriver, runPushBench } from "./push-evaluation.js";
import { runThroughput, type ThroughputResult } from "./throughput.js";
import { runWebSocketLatency } from "./latency-websocket.js";
import { measureIdleConnections, type IdleConnectionFigure } from "./idle-connections.js";
import { inspectorArgument, profiled } from "./server-inspector.js";
import { report, type LatencyRun, type Transport } from "./report.js";
import { measureMachineFloor, type MachineFloor } from "./machine-floor.js";


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
    "skip-push": { type: "boolean", default: false },
    "skip-pusher-fanout": { type: "boolean", default: false },
    "skip-media": { type: "boolean", default: false },
    "pg-async-commit": { type: "boolean", default: false },
    "push-rules-off": { type: "boolean", default: false },
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
const latencyRuns: LatencyRun[] = [];
let idleFigures: IdleConnectionFigure[] = [];
let machineFloor: MachineFloor | null = null;
let stateRes: { name: string; ms: number }[] = [];
let federation: FederationFigure[] = [];
let federationDatabase: string | null = null;
let push: FederationFigure[] = [];
let pushDatabase: string | null = null;
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
        pushRulesOff: args["push-rules-off"] ?? false,
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
      const measured = await measureCpu(
        server.pid,
        () => runThroughput(sendPool, room.roomId, room.senders.slice(0, config.throughputSenders), config.throughputMessages, 180_000),
        server.databaseBackendPids,
      );
      throughput = measured.result;
      cpuShare.throughput = measured.cpu;
    } catch (error) {
      errors.push(`throughput: ${(error as Error).message}`);
    }

    try {
      log(`machine floor: paced loopback HTTP and commit round trips at ${config.rate}/s`);
      machineFloor = await measureMachineFloor(setupPool, server.databaseUrl, config.rate);
    } catch (error) {
      errors.push(`machine floor: ${(error as Error).message}`);
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
          const measured = await measureCpu(
            server.pid,
            () => (profileDir && inspector ? profiled(inspector.port, profileDir, profileName, latencyRun) : latencyRun()),
            server.databaseBackendPids,
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

if (!args["skip-push"]) {
  try {
    log("push evaluation benchmark");
    push = await runPushBench({ forceEmbedded: args.embedded ?? false, log: (line) => log(`push: ${line}`) });
  } catch (error) {
    errors.push(`push: ${(error as Error).message}`);
  }
  pushDatabase = pushBenchDriver();
}

if (!args["skip-pusher-fanout"]) await import("./pusher-fanout.js").then((m) => m.runPusherFanout({ forceEmbedded: args.embedded ?? false, log: (line) => log(`pushers: ${line}`) })).then((figures) => push.push(...figures), (error: Error) => errors.push(`pusher fan-out: ${error.message}`));

// Media figures come after the table from report(), with their own JSON line (their own server and database).
let media: FederationFigure[] = [];
let mediaDatabase: string | null = null;
if (!args["skip-media"]) {
  try {
    log("media benchmark");
    const { runMediaBench, mediaBenchDatabase } = await import("./media.js");
    media = await runMediaBench({ forceEmbedded: args.embedded ?? false, log: (line) => log(`media: ${line}`) });
    mediaDatabase = mediaBenchDatabase();
  } catch (error) {
    errors.push(`media: ${(error as Error).message}`);
  }
}

report({ config, transports, databaseKind, loadAverageAtStart, setupMs, memberCount, throughput, machineFloor, latencyRuns, idleFigures, memory, cpuShare, stateRes, federation, federationDatabase, push, pushDatabase, errors });
if (mediaDatabase) {
  console.log(`\nmedia (its own server; database: ${mediaDatabase}):`);
  for (const figure of media) console.log(`${figure.name.padEnd(110)}  ${figure.value} ${figure.unit}`);
  console.log(`\nBENCH_MEDIA_RESULT ${JSON.stringify({ database: mediaDatabase, figures: media })}`);
}
process.exitCode = errors.length ? 1 : 0;
