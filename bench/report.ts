import { cpus, loadavg } from "node:os";
import type { FederationFigure } from "./federation.js";
import type { IdleConnectionFigure } from "./idle-connections.js";
import type { MachineFloor } from "./machine-floor.js";
import type { LatencyResult } from "./latency-result.js";
import type { CpuShare } from "./memory.js";
import type { ThroughputResult } from "./throughput.js";

export const TARGETS = { throughputMsgPerSec: 2000, latencyP50Ms: 5, latencyP99Ms: 50 };
/** Issue D's targets for /sync over WebSocket. */
export const WEBSOCKET_TARGETS = { latencyP50Ms: 3, latencyP99Ms: 30, idleConnectionKb: 20 };

export type Transport = "longpoll" | "websocket";

export interface LatencyRun {
  transport: Transport;
  layout: string;
  result: LatencyResult | null;
  cpu?: CpuShare;
}

/** Everything one `npm run bench` measured, for the printed table and the BENCH_RESULT line. */
export interface BenchResults {
  config: { clients: number; roomSize: number; senders: number; messages: number; rate: number; throughputMessages: number; throughputSenders: number };
  transports: Transport[];
  databaseKind: string;
  loadAverageAtStart: number;
  setupMs: Record<string, number>;
  memberCount: number;
  throughput: ThroughputResult | null;
  machineFloor: MachineFloor | null;
  latencyRuns: LatencyRun[];
  idleFigures: IdleConnectionFigure[];
  memory: Record<string, number | null>;
  cpuShare: Record<string, CpuShare>;
  stateRes: { name: string; ms: number }[];
  federation: FederationFigure[];
  federationDatabase: string | null;
  /** bench/push-evaluation.ts: a message into a big room with push rules on and off. */
  push: FederationFigure[];
  pushDatabase: string | null;
  errors: string[];
}

/** Prints the table, the side-by-side comparison and one `BENCH_RESULT {...}` JSON line. */
export function report(results: BenchResults): void {
  const { config, transports, databaseKind, loadAverageAtStart, setupMs, memberCount, throughput, machineFloor, latencyRuns, idleFigures, memory, cpuShare, stateRes, federation, federationDatabase, push, pushDatabase, errors } = results;
  const rows: Array<[string, string, string, string]> = [];
  const row = (label: string, value: unknown, target = "", met = "") => rows.push([label, String(value ?? "-"), target, met]);
  const yesNo = (ok: boolean) => (ok ? "yes" : "NO");
  const perUnitRow = (label: string, share: CpuShare | undefined, units: number) =>
    share?.serverCpuSeconds != null && units > 0 && row(label, Math.round((share.serverCpuSeconds * 1e5) / units) / 100);
  const databaseRow = (label: string, share: CpuShare | undefined, units: number) =>
    share?.databaseCpuSeconds != null && units > 0 && row(label, Math.round((share.databaseCpuSeconds * 1e5) / units) / 100);
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
    databaseRow("  PostgreSQL CPU per acknowledged send (ms)", cpuShare.throughput, throughput.messages);
  } else row("throughput", "not measured (see errors)");

  if (machineFloor) {
    const { httpRoundTripMs: http, commitRoundTripMs: commit } = machineFloor;
    row(`machine floor at ${machineFloor.ratePerSecond}/s, no Myelin work in it: loopback HTTP round trip p50 / p95 (ms)`, `${http.p50} / ${http.p95}`);
    if (commit) {
      row("  durable one-row Postgres commit round trip p50 / p95 (ms)", `${commit.p50} / ${commit.p95}`);
      row("  their sum at p50: the least a send's acknowledgement costs here (ms)", Math.round((http.p50 + commit.p50) * 100) / 100);
    }
  }

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
    databaseRow(`  PostgreSQL CPU per ${longpoll ? "sync" : "pushed"} response (ms, sends included)`, run.cpu, r.syncResponses);
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
  if (pushDatabase) row(`push evaluation servers' database: ${pushDatabase}`, "");
  for (const figure of push) row(figure.name, `${figure.value} ${figure.unit}`);

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ["figure", "value", "target"][i].length));
  const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd();
  console.log(line(["figure", "value", "target", "met"]));
  console.log(line(widths.map((w) => "-".repeat(w)).concat("---")));
  for (const r of rows) console.log(line(r));
  if (latencyRuns.length || idleFigures.length) printTransportComparison(results);
  if (errors.length) console.log(`\nERRORS:\n${errors.map((e) => `  - ${e}`).join("\n")}`);

  const result = {
    node: process.version,
    cpus: cpu.length,
    database: databaseKind,
    config,
    setupMs,
    targets: TARGETS,
    throughput,
    machineFloor,
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
    push,
    pushDatabase,
    errors,
  };
  console.log(`\nBENCH_RESULT ${JSON.stringify(result)}`);
}

/** Long-poll and WebSocket side by side, one column per (layout, transport): the same clients and senders. */
function printTransportComparison({ latencyRuns, idleFigures, transports }: BenchResults): void {
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
