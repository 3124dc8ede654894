/**
 * Push evaluation benchmark: what push rules cost a message into a big room. Myelins in this process, one
 * with `push.enabled` and two without, each with a room of N local members (1,000) on the default push rules;
 * one member sends messages, one on each server in turn, so that other work on the machine and in this process
 * falls on both alike. With the default `.m.rule.message` every message notifies the N-1 other members;
 * the bench checks that one of them has every message unread.
 *
 * A third server, also without push rules, measures the spread of the method: its ratio to the second should be 1.
 *
 * Figures: this process's CPU per message (the server's JavaScript; on the embedded database the database's
 * work too, which is in this process) and wall-clock time per message, each with push on and off, and their
 * ratios (the target: CPU with push at most 1.2 times without).
 *
 *   npx tsx bench/push-evaluation.ts [--embedded] [--members N] [--messages N] [--legacy-bodies]
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { createTestApp, type TestApp } from "../homeserver/app/test-app.js";
import type { Requester } from "../homeserver/users/requester.js";
import { pickDriver } from "./federation.js";
import type { FederationFigure } from "./federation.js";

export interface PushBenchOptions {
  /** Local members of the room (1,000). */
  members?: number;
  /** Messages measured on each server (700, in 7 blocks). */
  messages?: number;
  forceEmbedded?: boolean;
  /** Send bodies without m.mentions (older clients): the legacy mention rules then read every member's names. */
  legacyBodies?: boolean;
  log?: (line: string) => void;
}

/** The CPU ratio the issue asks for: evaluation must not make a message into a big room much dearer. */
export const PUSH_CPU_RATIO_TARGET = 1.2;
const WARM_UP = 20;
const BLOCKS = 7;
const JOIN_BATCH = 25;

interface Side {
  label: string;
  app: TestApp;
  roomId: string;
  sender: Requester;
  cpuMicros: number;
  /** cpuMicros when the current block began. */
  blockStart: number;
  wallMs: number;
  sent: number;
}

let lastDriverLabel = "not started";
export function pushBenchDriver(): string {
  return lastDriverLabel;
}

export async function runPushBench(options: PushBenchOptions = {}): Promise<FederationFigure[]> {
  const members = options.members ?? 1_000;
  const messages = options.messages ?? 700;
  const log = options.log ?? ((line: string) => console.error(`[push-bench] ${line}`));
  legacyBodies = options.legacyBodies ?? false;
  const { driver, label } = await pickDriver(options.forceEmbedded);
  lastDriverLabel = label;
  log(`database: ${label}; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const apps: TestApp[] = [];
  try {
    const sides: Side[] = [];
    // A second server without push rules shows the spread of the measurement itself (the two should be equal).
    for (const [label, enabled] of [["push on", true], ["push off", false], ["push off (second server)", false]] as const) {
      const app = await createTestApp(driver, { push: { enabled } });
      apps.push(app);
      sides.push(await setUp(app, label, members, log));
    }
    for (const side of sides) for (let i = 0; i < WARM_UP; i++) await send(side, `warm-up ${i}`);
    // One message on each side in turn (the order swapped every other time), so that garbage collection and
    // timers, which land on whichever side is running, fall on both alike. The run is cut into blocks and each
    // ratio is the median of the blocks' ratios: a collection or a burst of other work on the machine then
    // moves one block, not the figure.
    const blocks: Array<{ cpu: number[] }> = [];
    const perBlock = Math.max(1, Math.floor(messages / BLOCKS));
    for (let i = 0; i < messages; i++) {
      if (i % perBlock === 0) for (const side of sides) side.blockStart = side.cpuMicros;
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) await measure(side, 1);
      if ((i + 1) % perBlock === 0 || i === messages - 1) blocks.push({ cpu: sides.map((side) => side.cpuMicros - side.blockStart) });
    }
    const [on, off, again] = sides;
    // What the members are told: every other member has every message unread (checked for one of them).
    const sent = on.sent + WARM_UP;
    const member = `@member${members - 1}:${on.app.ctx.serverName}`;
    const counts = (await on.app.ctx.stores.pushActions.counts([member], [on.roomId], Number.MAX_SAFE_INTEGER)).get(member)?.get(on.roomId);
    const unread = [...(counts?.values() ?? [])].reduce((n, c) => n + c.notifications, 0);
    const stored = await sql<{ room: string; own: string }>`SELECT (SELECT count(*) FROM event_push_room_actions) AS room, (SELECT count(*) FROM event_push_actions) AS own`.execute(on.app.ctx.db);
    log(`push on: ${member} has ${unread} unread of ${sent} messages; rows stored: ${stored.rows[0].room} room rows, ${stored.rows[0].own} members' own`);
    if (unread !== sent) throw new Error(`push on: ${member} has ${unread} notifications, expected ${sent}`);
    const cpu = (side: Side) => Math.round(side.cpuMicros / side.sent);
    const wall = (side: Side) => Math.round((side.wallMs / side.sent) * 100) / 100;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const blockRatios = (a: number, b: number) => blocks.map((block) => block.cpu[a] / block.cpu[b]).sort((x, y) => x - y);
    const median = (values: number[]) => Math.round(values[Math.floor(values.length / 2)] * 100) / 100;
    const range = (values: number[]) => `${values[0].toFixed(2)} to ${values[values.length - 1].toFixed(2)}`;
    const onOff = blockRatios(0, 1);
    const offOff = blockRatios(2, 1);
    log(`CPU ratio per block of ${perBlock} messages: push on / off ${range(onOff)}; off / off ${range(offOff)}; whole run ${ratio(cpu(on), cpu(off))} and ${ratio(cpu(again), cpu(off))}`);
    const name = `push evaluation: a message${legacyBodies ? " without m.mentions" : ""} into a room of ${members} local members (${on.sent} each side)`;
    log(`push on ${cpu(on)} µs CPU, ${wall(on)} ms wall; push off ${cpu(off)} µs CPU, ${wall(off)} ms wall per message`);
    return [
      { name: `${name}, CPU per message with push rules`, value: cpu(on), unit: "µs" },
      { name: "  the same without push rules (push.enabled: false)", value: cpu(off), unit: "µs" },
      { name: `  CPU ratio with / without, median of ${blocks.length} blocks (target <= ${PUSH_CPU_RATIO_TARGET})`, value: median(onOff), unit: "x" },
      { name: "  wall-clock per message with push rules", value: wall(on), unit: "ms" },
      { name: "  wall-clock per message without", value: wall(off), unit: "ms" },
      { name: "  wall-clock ratio with / without", value: ratio(wall(on), wall(off)), unit: "x" },
      { name: "  spread of the measurement: CPU ratio of two servers without push rules, median of the blocks", value: median(offOff), unit: "x" },
    ];
  } finally {
    for (const app of apps) await app.dispose();
  }
}

async function setUp(app: TestApp, label: string, members: number, log: (line: string) => void): Promise<Side> {
  const started = performance.now();
  const user = (i: number): Requester => ({ userId: `@member${i}:${app.ctx.serverName}`, deviceId: "D", isAdmin: false, tokenHash: "" });
  const sender = user(0);
  const roomId = await app.ctx.rooms.service.createRoom(sender, { preset: "public_chat", name: "push bench" });
  for (let i = 1; i < members; i += JOIN_BATCH) {
    await Promise.all(Array.from({ length: Math.min(JOIN_BATCH, members - i) }, (_, j) => app.ctx.rooms.service.join(user(i + j), roomId)));
  }
  const joined = (await app.ctx.rooms.persister.roomMemory(roomId))!.joinedCount();
  if (joined !== members) throw new Error(`${label}: the room has ${joined} members, expected ${members}`);
  log(`${label}: room of ${joined} members set up in ${Math.round(performance.now() - started)} ms`);
  return { label, app, roomId, sender, cpuMicros: 0, blockStart: 0, wallMs: 0, sent: 0 };
}

let txn = 0;
let legacyBodies = false;
/** As Element sends a message (with an empty m.mentions), unless legacy bodies were asked for. */
function send(side: Side, body: string): Promise<string> {
  const content: Record<string, string | Record<string, never>> = legacyBodies ? { msgtype: "m.text", body } : { msgtype: "m.text", body, "m.mentions": {} };
  return side.app.ctx.rooms.service.sendMessage(side.sender, side.roomId, "m.room.message", content, `push-bench-${txn++}`);
}

async function measure(side: Side, count: number): Promise<void> {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < count; i++) await send(side, `message ${side.sent + i}`);
  side.wallMs += performance.now() - wallStart;
  const used = process.cpuUsage(cpuStart);
  side.cpuMicros += used.user + used.system;
  side.sent += count;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { embedded: { type: "boolean", default: false }, members: { type: "string" }, messages: { type: "string" }, "legacy-bodies": { type: "boolean", default: false } },
  });
  const figures = await runPushBench({
    forceEmbedded: values.embedded,
    members: values.members ? Number(values.members) : undefined,
    messages: values.messages ? Number(values.messages) : undefined,
    legacyBodies: values["legacy-bodies"],
  });
  console.log(`database: ${pushBenchDriver()}; 1-minute load average ${loadavg()[0].toFixed(2)}`);
  for (const { name, value, unit } of figures) console.log(`${name}: ${value} ${unit}`);
}
