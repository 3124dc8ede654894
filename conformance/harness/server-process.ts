import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, existsSync } from "node:fs";
import { processTreeOf, waitUntilGone } from "./process-tree.js";
import { waitUntilReady } from "./wait-until-ready.js";

export interface ServerCommand {
  /** Human name used in messages, e.g. "synapse". */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr of every start are appended here, so a restart keeps the earlier output. */
  logFile: string;
  /** Base URL polled with GET /_matrix/client/versions until it answers 200. */
  baseUrl: string;
  startupTimeoutMs: number;
}

const stopGraceMs = 30_000;

/**
 * One homeserver child process that can be stopped and started again with the same data.
 * The child runs in its own process group so that wrappers (tsx spawns a second node) die with it.
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /**
   * Descendants of the child that left its process group (none for tsx or Synapse), found once it was ready:
   * a kill must reach them too, and without a `ps` first, which would delay it by tens of milliseconds.
   */
  private outsideGroup: number[] = [];

  constructor(readonly spec: ServerCommand) {
    // Last resort if the test runner dies without running teardown: never leave a server behind.
    process.once("exit", () => this.killNow());
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.spec.name} is already running`);
    const logFd = openSync(this.spec.logFile, "a");
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env ?? process.env,
      stdio: ["ignore", logFd, logFd],
      detached: true,
    });
    closeSync(logFd);
    this.child = child;
    let exitInfo: string | null = null;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        if (this.child === child) this.child = null;
        resolve();
      });
      child.once("error", (error) => {
        exitInfo = `spawn error: ${error.message}`;
        if (this.child === child) this.child = null;
        resolve();
      });
    });

    try {
      await waitUntilReady(this.spec.baseUrl, this.spec.startupTimeoutMs, () => exitInfo);
      const tree = child.pid === undefined ? [] : processTreeOf(child.pid);
      this.outsideGroup = tree.filter((p) => !p.inGroup).map((p) => p.pid);
    } catch (error) {
      await this.stop();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${this.spec.name} did not become ready: ${message}\n` +
          `--- last lines of ${this.spec.logFile} ---\n${this.logTail(60)}`,
      );
    }
  }

  /** SIGTERM to the process group, then wait for exit; SIGKILL if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    signalGroup(child.pid, "SIGTERM");
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), stopGraceMs).unref()),
    ]);
    if (timedOut) {
      signalGroup(child.pid, "SIGKILL");
      await this.exited;
    }
    // The group may still hold a grandchild that ignored SIGTERM after its parent left.
    signalGroup(child.pid, "SIGKILL");
    this.child = null;
  }

  /**
   * A crash: SIGKILL, with no chance to flush or clean up, to the serving process itself (under tsx that is a
   * grandchild, not the wrapper we spawned), then waits until every process of the server is gone, so that a
   * start that follows cannot find the port or the data still held. Resolves with Date.now() at the kill.
   */
  async kill(): Promise<number> {
    const child = this.child;
    if (!child || child.pid === undefined) throw new Error(`${this.spec.name} is not running, so it cannot be killed`);
    const killedAt = Date.now();
    // The group holds the wrapper and the node process that serves (tsx runs it as a child).
    signalGroup(child.pid, "SIGKILL");
    for (const pid of this.outsideGroup) signalProcess(pid, "SIGKILL");
    // What is left of the tree now (zombies included) is what we wait for; anything new in it dies too.
    const tree = [...new Set([...this.outsideGroup, ...processTreeOf(child.pid).map((p) => p.pid)])];
    for (const pid of tree) signalProcess(pid, "SIGKILL");
    await this.exited;
    await waitUntilGone(tree, stopGraceMs);
    this.child = null;
    return killedAt;
  }

  logTail(lines: number): string {
    if (!existsSync(this.spec.logFile)) return "(no log file)";
    const all = readFileSync(this.spec.logFile, "utf8").split("\n");
    return all.slice(-lines).join("\n");
  }

  private killNow(): void {
    if (this.child?.pid !== undefined) signalGroup(this.child.pid, "SIGKILL");
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
