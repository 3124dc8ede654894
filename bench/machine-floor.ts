import pg from "pg";
import type { Pool } from "undici";
import { call } from "./matrix-http.js";
import { sleep } from "./latency-result.js";
import { summarise, type Summary } from "./stats.js";

/**
 * What this machine charges for the hops of one send when nothing of Myelin's runs in them, at the latency
 * runs' pacing: a loopback HTTP round trip to the server (GET /versions: no database, no auth) and a durable
 * one-row commit on the bench's Postgres database from this process. A send's acknowledgement makes both
 * hops and a delivery adds one more, so their sum is a floor under the send-to-delivery figures here. On
 * virtual machines whose idle cores sleep, these hops cost far more at 20 requests a second than back to back.
 */
export interface MachineFloor {
  ratePerSecond: number;
  httpRoundTripMs: Summary;
  /** Null on the embedded database: its commits happen inside the server process. */
  commitRoundTripMs: Summary | null;
}

const SAMPLES = 200;

export async function measureMachineFloor(pool: Pool, databaseUrl: string | null, ratePerSecond: number): Promise<MachineFloor> {
  const gapMs = 1000 / ratePerSecond;
  const http: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await call(pool, "GET", "/_matrix/client/versions");
    http.push(performance.now() - started);
    await sleep(gapMs);
  }
  return { ratePerSecond, httpRoundTripMs: summarise(http), commitRoundTripMs: databaseUrl ? await commitRoundTrips(databaseUrl, gapMs) : null };
}

async function commitRoundTrips(databaseUrl: string, gapMs: number): Promise<Summary> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A real table, not a temporary one: temporary tables skip the WAL, and the WAL flush is what a commit waits for.
    await client.query("CREATE TABLE bench_machine_floor (n integer)");
    const commits: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      await client.query("INSERT INTO bench_machine_floor VALUES ($1)", [i]);
      commits.push(performance.now() - started);
      await sleep(gapMs);
    }
    await client.query("DROP TABLE bench_machine_floor");
    return summarise(commits);
  } finally {
    await client.end();
  }
}
