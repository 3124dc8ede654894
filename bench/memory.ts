// Server process figures from /proc (Linux only): memory (RSS) and CPU time.
import { readFileSync } from "node:fs";

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS); null when it cannot be read. */
export function readRssMb(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the peak, until stopped. */
export class RssSampler {
  peakMb: number | null = null;
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly pid: number | null,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number | null {
    const rss = readRssMb(this.pid);
    if (rss !== null && (this.peakMb === null || rss > this.peakMb)) this.peakMb = rss;
    return rss;
  }
  stop(): number | null {
    clearInterval(this.timer);
    this.sample();
    return this.peakMb;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat; null if unreadable. */
export function readCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at index 2 (state); utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

export interface CpuShare {
  /** CPU used during the window as a share of one core, in percent (200 = both cores of this machine). */
  serverPct: number | null;
  loadGeneratorPct: number;
  /** CPU seconds used during the window: a figure less skewed by other work on the machine than wall time. */
  serverCpuSeconds: number | null;
  loadGeneratorCpuSeconds: number;
  /**
   * CPU seconds of the PostgreSQL backends serving the bench database during the window (null on the embedded
   * database, which runs inside the server, and for external servers): a server's work is both processes.
   */
  databaseCpuSeconds?: number | null;
}

/** The PostgreSQL backend processes of the bench database, read at a window's start and end. */
export type BackendPids = () => Promise<number[]>;

async function readBackendsCpu(pids: readonly number[]): Promise<Map<number, number>> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const used = readCpuSeconds(pid);
    if (used !== null) seconds.set(pid, used);
  }
  return seconds;
}

/** Measures how busy the server and this process were while `work` ran. */
export async function measureCpu<T>(serverPid: number | null, work: () => Promise<T>, backendPids?: BackendPids): Promise<{ result: T; cpu: CpuShare }> {
  // Backends are the pool's connections, which live through a busy window; one that starts or ends inside it is
  // counted from when it is first, until it is last, seen.
  const backendsBefore = backendPids ? await readBackendsCpu(await backendPids()) : null;
  const serverBefore = readCpuSeconds(serverPid);
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallSeconds = (performance.now() - started) / 1000;
  const serverAfter = readCpuSeconds(serverPid);
  const self = process.cpuUsage(selfBefore);
  let databaseCpuSeconds: number | null = null;
  if (backendPids && backendsBefore) {
    const after = await readBackendsCpu(await backendPids());
    databaseCpuSeconds = 0;
    for (const [pid, used] of after) databaseCpuSeconds += used - (backendsBefore.get(pid) ?? 0);
    databaseCpuSeconds = Math.round(databaseCpuSeconds * 100) / 100;
  }
  const pct = (seconds: number) => Math.round((seconds / wallSeconds) * 100);
  const serverSeconds = serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore;
  const selfSeconds = (self.user + self.system) / 1e6;
  return {
    result,
    cpu: {
      serverPct: serverSeconds === null ? null : pct(serverSeconds),
      loadGeneratorPct: pct(selfSeconds),
      serverCpuSeconds: serverSeconds === null ? null : Math.round(serverSeconds * 100) / 100,
      loadGeneratorCpuSeconds: Math.round(selfSeconds * 100) / 100,
      databaseCpuSeconds,
    },
  };
}
