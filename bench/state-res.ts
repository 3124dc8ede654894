/**
 * State resolution benchmark: a room with 10,000 joined members forked in two, each fork with a few
 * hundred conflicting state events (power levels, topics, kicks, renames). Prints the median time
 * to resolve the two forks, for state res v2 (room v11) and v2.1 (room v12).
 *
 *   npx tsx bench/state-res.ts
 */
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { resolveState } from "../homeserver/state/index.js";
import { synthesiseForkedRoom } from "../homeserver/state/testing/synthetic-room.js";

const MEMBERS = 10_000;
const CHANGES_PER_FORK = 400;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function runStateResBench(): Promise<{ name: string; ms: number }[]> {
  const results: { name: string; ms: number }[] = [];
  for (const roomVersion of ["11", "12"]) {
    const room = synthesiseForkedRoom({ roomVersion, members: MEMBERS, changesPerFork: CHANGES_PER_FORK });
    const times: number[] = [];
    // One warm-up run so the JIT has compiled the hot loops before we measure.
    resolveState(room.version, [room.forkA, room.forkB], room.source);
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      resolveState(room.version, [room.forkA, room.forkB], room.source);
      times.push(performance.now() - start);
    }
    results.push({
      name: `state-res ${room.version.stateRes} (room v${roomVersion}, ${MEMBERS} members, 2×${CHANGES_PER_FORK} conflicting)`,
      ms: Math.round(median(times) * 100) / 100,
    });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const { name, ms } of await runStateResBench()) console.log(`${name}: ${ms} ms (median of ${RUNS})`);
}
