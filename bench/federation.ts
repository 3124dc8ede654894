/**
 * Federation benchmark: two Myelin homeservers in this process, on loopback over plain HTTP, signing their
 * requests with X-Matrix.
 *
 *  1. inbound PDUs/s: B's user joins a public room on A, then B's PDUs (signed by B's key, correct content
 *     hashes, a chain of prev_events) reach A in PUT /send transactions of 50. A checks each one fully
 *     (signature against B's key — fetched once and cached by A's keyring — content hash, auth rules) and
 *     persists it. The figure is PDUs accepted per second of wall-clock time, transactions sent one after another.
 *  2. remote join: A's room has 1,000 local members; the time for B's user to join it (make_join, send_join
 *     with all of the room's state and auth chain, B's checks of every event, B storing them).
 *
 * Postgres (MYELIN_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres when it answers) or
 * the embedded database (PGlite); `--embedded` forces the latter.
 *
 *   npx tsx bench/federation.ts [--embedded] [--pdus N] [--members N]
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import type { DriverName } from "../homeserver/app/test-app.js";
import type { Requester } from "../homeserver/users/requester.js";
import { craftChain, joinedMembers } from "./federation-pdus.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../federation/routes/testing/peers.js";

export interface FederationBenchOptions {
  /** PDUs sent from B to A in scenario 1 (2,000). */
  pdus?: number;
  /** PDUs per PUT /send transaction (50, the spec's maximum). */
  perTransaction?: number;
  /** Local members of A's room before B's user joins in scenario 2 (1,000). */
  members?: number;
  forceEmbedded?: boolean;
  log?: (line: string) => void;
}

export interface FederationFigure {
  name: string;
  value: number;
  unit: string;
}

const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";
/** The whole benchmark gives up after this long. */
const OVERALL_TIMEOUT_MS = 300_000;

/** Postgres when it answers on loopback (setting MYELIN_TEST_POSTGRES_URL for the test-app helper), else embedded. */
export async function pickDriver(forceEmbedded = false): Promise<{ driver: DriverName; label: string }> {
  if (forceEmbedded) return { driver: "embedded", label: "embedded (PGlite, forced)" };
  const url = process.env.MYELIN_TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    process.env.MYELIN_TEST_POSTGRES_URL = url;
    return { driver: "postgres", label: `postgres (${new URL(url).host}, one fresh database per peer, pool 10)` };
  } catch {
    return { driver: "embedded", label: "embedded (PGlite; Postgres did not answer)" };
  } finally {
    await client.end().catch(() => undefined);
  }
}

let lastDriverLabel = "not started";
/** The database the last run used, for the caller's report. */
export function federationBenchDriver(): string {
  return lastDriverLabel;
}

export async function runFederationBench(options: FederationBenchOptions = {}): Promise<FederationFigure[]> {
  const pdus = options.pdus ?? 2_000;
  const perTransaction = options.perTransaction ?? 50;
  const members = options.members ?? 1_000;
  const log = options.log ?? ((line: string) => console.error(`[federation-bench] ${line}`));
  const { driver, label } = await pickDriver(options.forceEmbedded);
  lastDriverLabel = label;
  log(`database: ${label}; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`federation benchmark did not finish within ${OVERALL_TIMEOUT_MS} ms`)), OVERALL_TIMEOUT_MS);
  });
  const peers: Peer[] = [];
  try {
    return await Promise.race([timeout, scenarios(driver, peers, { pdus, perTransaction, members, log })]);
  } finally {
    clearTimeout(timer);
    await stopPeers(...peers);
  }
}

async function scenarios(
  driver: DriverName,
  peers: Peer[],
  o: { pdus: number; perTransaction: number; members: number; log: (line: string) => void },
): Promise<FederationFigure[]> {
  const [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
  peers.push(a, b);
  o.log(`peers A ${a.name}, B ${b.name}`);
  const figures: FederationFigure[] = [];

  // 1. Inbound PDUs through PUT /send.
  const alice = await newUser(a, "alice");
  const bob = await newUser(b, "bob");
  const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "send bench" });
  await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
  const memory = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
  if (memory.membershipOf(bob.userId) !== "join") throw new Error("B's user did not join A's room");
  const chain = craftChain(b, memory, bob.userId, o.pdus);
  o.log(`inbound: ${o.pdus} PDUs crafted by B, sending in transactions of ${o.perTransaction}`);

  // A warm-up transaction outside the timing would hide the one-off key fetch; the brief counts it in, so the
  // first transaction (and B's key fetch by A) is measured too.
  const start = performance.now();
  let accepted = 0;
  for (let i = 0, txn = 0; i < chain.length; i += o.perTransaction, txn++) {
    const batch = chain.slice(i, i + o.perTransaction);
    const txnId = `bench-${Date.now()}-${txn}`;
    const answer = await call(b, a, "PUT", federationPath`/_matrix/federation/v1/send/${txnId}`, {
      origin: b.name,
      origin_server_ts: Date.now(),
      pdus: batch.map((c) => c.wire),
    });
    if (answer.status !== 200) throw new Error(`PUT /send ${txnId}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
    const results = (answer.json?.pdus ?? {}) as Record<string, Record<string, unknown>>;
    for (const crafted of batch) {
      const result = results[crafted.pdu.event_id];
      if (!result || Object.keys(result).length > 0) throw new Error(`PDU ${crafted.pdu.event_id}: ${JSON.stringify(result ?? "no result")}`);
      accepted++;
    }
  }
  const sendMs = performance.now() - start;
  const status = await a.app.ctx.stores.events.knownStatus(chain.map((c) => c.pdu.event_id));
  const stored = chain.filter((c) => {
    const s = status.get(c.pdu.event_id);
    return s && !s.rejected && !s.outlier;
  }).length;
  const after = (await a.app.ctx.rooms.persister.roomMemory(roomId))!;
  if (stored !== o.pdus) throw new Error(`A holds ${stored} of the ${o.pdus} PDUs as accepted timeline events`);
  if (after.extremities.length !== 1 || after.extremities[0] !== chain.at(-1)!.pdu.event_id) throw new Error(`A's forward extremities are ${after.extremities.join(",")}, not the last PDU`);
  const perSecond = Math.round((accepted / sendMs) * 1000);
  o.log(`inbound: ${accepted} PDUs accepted in ${Math.round(sendMs)} ms = ${perSecond} PDU/s`);
  figures.push({ name: `federation inbound: ${o.pdus} PDUs from B via PUT /send (${o.perTransaction}/txn, sequential)`, value: perSecond, unit: "PDU/s" });
  figures.push({ name: "  per transaction of 50 (mean round trip)", value: Math.round((sendMs / Math.ceil(o.pdus / o.perTransaction)) * 10) / 10, unit: "ms" });

  // 2. Joining a remote room with many members.
  const bigRoom = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "big room" });
  const setupStart = performance.now();
  const joinBatch = 25;
  for (let i = 0; i < o.members - 1; i += joinBatch) {
    await Promise.all(
      Array.from({ length: Math.min(joinBatch, o.members - 1 - i) }, (_, j) => {
        const requester: Requester = { userId: `@u${i + j}:${a.name}`, deviceId: "D", isAdmin: false, tokenHash: "" };
        return a.app.ctx.rooms.service.join(requester, bigRoom);
      }),
    );
  }
  const localMembers = joinedMembers((await a.app.ctx.rooms.persister.roomMemory(bigRoom))!);
  if (localMembers !== o.members) throw new Error(`A's big room has ${localMembers} members, expected ${o.members}`);
  o.log(`remote join: ${localMembers} members on A (set up in ${Math.round(performance.now() - setupStart)} ms), B joins`);

  const bert = await newUser(b, "bert");
  const joinStart = performance.now();
  await b.app.ctx.rooms.service.join(bert, bigRoom, undefined, [a.name]);
  const joinMs = performance.now() - joinStart;
  const onB = (await b.app.ctx.rooms.persister.roomMemory(bigRoom))!;
  const seen = joinedMembers(onB);
  if (seen !== o.members + 1) throw new Error(`B sees ${seen} joined members, expected ${o.members + 1}`);
  o.log(`remote join: ${Math.round(joinMs)} ms; B sees ${seen} joined members, ${onB.state.size} state events`);
  figures.push({ name: `federation remote join: B joins A's room of ${o.members} members (${onB.state.size} state events)`, value: Math.round(joinMs), unit: "ms" });
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { embedded: { type: "boolean", default: false }, pdus: { type: "string" }, members: { type: "string" } } });
  const figures = await runFederationBench({
    forceEmbedded: values.embedded,
    pdus: values.pdus ? Number(values.pdus) : undefined,
    members: values.members ? Number(values.members) : undefined,
  });
  console.log(`database: ${federationBenchDriver()}; 1-minute load average ${loadavg()[0].toFixed(2)}`);
  for (const { name, value, unit } of figures) console.log(`${name}: ${value} ${unit}`);
}
