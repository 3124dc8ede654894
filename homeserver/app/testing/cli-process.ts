import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

/** For tests that run `myelin` as the operator does: a child process, its exit code and its output. */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const MYELIN_BIN = join(REPO_ROOT, "bin/myelin.mjs");

/** No command here should take this long; only a hang does. */
const HANG_GUARD_MS = 90_000;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<Finished>;
}

/** Environment without the MYELIN_ overrides of the test runner's shell (they would change the config). */
function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("MYELIN_")));
  return { ...env, ...extra };
}

/**
 * Spawns `command args` in its own process group (so that whatever it leaves behind can be found and
 * killed). A command expected to finish is killed by the hang guard; a server (`hangGuard: false`) is the
 * test's to stop, so that a server that does not stop fails the test instead of being stopped for it.
 */
export function spawnCli(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; hangGuard?: boolean } = {}): CliProcess {
  const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: cleanEnvironment(options.env), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const guard = options.hangGuard === false ? undefined : setTimeout(() => killGroup(child, "SIGKILL"), HANG_GUARD_MS);
  const exited = new Promise<Finished>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** `node bin/myelin.mjs args` to its end. */
export function runMyelin(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return spawnCli(process.execPath, [MYELIN_BIN, ...args], options).exited;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** True while any process of the child's group is alive. */
export function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const created: string[] = [];

/** A fresh directory under the system's temporary one, removed by removeTemporaryDirectories(). */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTemporaryDirectories(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh directory with a config file for a server on `port`; returns both paths. */
export function serverDirectory(port: number, overrides: Record<string, unknown> = {}): { dir: string; configPath: string } {
  const dir = temporaryDirectory("myelin-cli-");
  const configPath = join(dir, "homeserver.yaml");
  const config = {
    server_name: "localhost",
    listeners: [{ port, bind_address: "127.0.0.1", resources: ["client"] }],
    data_dir: join(dir, "data"),
    password_scrypt_log_n: 10,
    ...overrides,
  };
  writeFileSync(configPath, YAML.stringify(config));
  return { dir, configPath };
}

/** Polls until the server answers /versions; fails with its output if the process ends first. */
export async function waitUntilServing(server: CliProcess, port: number): Promise<void> {
  let ended = false;
  void server.exited.then(() => (ended = true));
  for (;;) {
    if (ended) throw new Error(`the server exited before serving:\n${JSON.stringify(server.output(), null, 2)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/_matrix/client/versions`);
      if (response.status === 200) return;
    } catch {
      // Not yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}
