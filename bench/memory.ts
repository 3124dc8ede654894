import { readFileSync } from "node:fs";

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS); null when it cannot be read. */
export function readRssMb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the peak, until stopped. */
export class RssSampler {
  peakMb = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number | null {
    const rss = readRssMb(this.pid);
    if (rss !== null && rss > this.peakMb) this.peakMb = rss;
    return rss;
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peakMb;
  }
}
