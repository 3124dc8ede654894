import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** ps's STAT column; a leading "Z" is a zombie. */
  state: string;
}

/** Every process on the machine, from `ps` (works on Linux and macOS, unlike /proc). */
function listProcesses(): ProcessRow[] {
  const output = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat="], { encoding: "utf8" });
  const rows: ProcessRow[] = [];
  for (const line of output.split("\n")) {
    const [pid, ppid, pgid, state] = line.trim().split(/\s+/);
    if (!pid || !ppid || !pgid || !state) continue;
    rows.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state });
  }
  return rows;
}

/**
 * `root` (a process group leader) and all its descendants, plus every process in its group. A wrapper such as
 * tsx serves through a child node process, and a process that left the group would escape a signal sent only
 * to the group.
 */
export function processTreeOf(root: number): Array<{ pid: number; inGroup: boolean }> {
  const rows = listProcesses();
  const found = new Set<number>([root]);
  for (const row of rows) if (row.pgid === root) found.add(row.pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) {
      if (found.has(row.ppid) && !found.has(row.pid)) {
        found.add(row.pid);
        grew = true;
      }
    }
  }
  const groupOf = new Map(rows.map((row) => [row.pid, row.pgid]));
  return [...found].map((pid) => ({ pid, inGroup: (groupOf.get(pid) ?? root) === root }));
}

/** Resolves once none of `pids` is alive (finished zombies count as gone); fails after `timeoutMs`. */
export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = listProcesses().filter((row) => pids.includes(row.pid) && !isFinished(row));
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`processes ${alive.map((row) => row.pid).join(", ")} still alive ${timeoutMs} ms after SIGKILL`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A zombie whose threads have all exited holds no port or file any more. On Linux a killed multi-threaded
 * process shows as a zombie as soon as its main thread is gone, while other threads may still be exiting.
 */
function isFinished(row: ProcessRow): boolean {
  if (!row.state.startsWith("Z")) return false;
  const tasks = `/proc/${row.pid}/task`;
  if (!existsSync("/proc/self/task")) return true;
  try {
    return readdirSync(tasks).length <= 1;
  } catch {
    return true;
  }
}
