import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { stringify } from "yaml";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultPostgresUrl = "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchServer {
  baseUrl: string;
  /** The node process that runs the homeserver itself (no tsx wrapper in between), for RSS sampling. */
  pid: number | null;
  /** "postgres (myelin_bench_…)" or "embedded (PGlite)". */
  database: string;
  /** The bench database's URL on Postgres; null on the embedded database or an external server. */
  databaseUrl: string | null;
  workDir: string;
  logFile: string;
  logTail(lines: number): string;
  /** The PostgreSQL backends connected to the bench database (none on the embedded database). */
  databaseBackendPids(): Promise<number[]>;
  /** Stops the server, drops the temporary database and removes the work folder; safe to call twice. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Skip the Postgres probe and use the embedded database. */
  forceEmbedded: boolean;
  /** Extra node flags for the server, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  nodeArgs: string[];
  keepFiles: boolean;
  /**
   * Diagnostic only: `synchronous_commit = off` on the bench database, to see how much of the send path is
   * waiting for WAL flushes. Not a durable setup; the output says when it was used.
   */
  asyncCommit: boolean;
  /** Diagnostic: push.enabled false in the server's config. */
  pushRulesOff?: boolean;
}

/**
 * Starts Myelin as a child process on a free loopback port with a generated config: a fresh Postgres database
 * when one answers at MYELIN_BENCH_POSTGRES_URL (or the local default), else the embedded database.
 * node runs the CLI with `--import tsx` so the child pid is the server itself.
 */
export async function startBenchServer(options: StartOptions): Promise<BenchServer> {
  const workDir = await mkdtemp(join(tmpdir(), "myelin-bench-"));
  const dataDir = join(workDir, "data");
  const logFile = join(workDir, "server.log");
  const configPath = join(workDir, "homeserver.yaml");
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;

  const adminUrl = process.env.MYELIN_BENCH_POSTGRES_URL ?? defaultPostgresUrl;
  const database = options.forceEmbedded ? null : await tryCreateDatabase(adminUrl);
  if (database && options.asyncCommit) await withAdmin(adminUrl, (client) => client.query(`ALTER DATABASE ${database.name} SET synchronous_commit = off`));
  await writeFile(configPath, stringify({ ...benchConfig(port, dataDir, database?.url ?? null), ...(options.pushRulesOff ? { push: { enabled: false } } : {}) }));

  const nodeArgs = [...options.nodeArgs];
  if (nodeArgs.includes("--cpu-prof") && !nodeArgs.some((arg) => arg.startsWith("--cpu-prof-dir"))) {
    // Node's default is the cwd (the repository); keep profiles out of it and out of the removed work folder.
    const profileDir = await mkdtemp(join(tmpdir(), "myelin-bench-cpu-prof-"));
    nodeArgs.push(`--cpu-prof-dir=${profileDir}`);
    console.error(`[bench] server CPU profile will be written to ${profileDir} when the server stops`);
  }
  const logFd = openSync(logFile, "a");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "homeserver/app/cli.ts", "start", "--config", configPath], {
    cwd: repoRoot,
    env: process.env,
    stdio: ["ignore", logFd, logFd],
    detached: true,
  });
  closeSync(logFd);

  let exitInfo: string | null = null;
  const exited = new Promise<void>((resolveExit) => {
    child.once("exit", (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolveExit();
    });
    child.once("error", (error) => {
      exitInfo = `spawn error: ${error.message}`;
      resolveExit();
    });
  });
  const killOnExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const logTail = (lines: number) => (existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n") : "(no log)");
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await stopChild(child, exited, () => exitInfo !== null);
    process.removeListener("exit", killOnExit);
    try {
      await database?.drop();
    } finally {
      if (!options.keepFiles) await rm(workDir, { recursive: true, force: true });
    }
  };

  try {
    await waitUntilReady(baseUrl, 180_000, () => exitInfo);
  } catch (error) {
    const tail = logTail(40);
    await dispose();
    throw new Error(`server did not become ready: ${(error as Error).message}\n--- server log ---\n${tail}`);
  }
  return {
    baseUrl,
    pid: child.pid!,
    databaseUrl: database?.url ?? null,
    database: `${database ? `postgres (${database.name}, pool_size 20${options.asyncCommit ? ", synchronous_commit OFF" : ""})` : "embedded (PGlite)"}${options.pushRulesOff ? ", push rules OFF" : ""}`,
    workDir,
    logFile,
    logTail,
    databaseBackendPids: async () =>
      database
        ? withAdmin(adminUrl, async (client) => {
            const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [database.name]);
            return rows.map((r) => Number(r.pid));
          })
        : [],
    dispose,
  };
}

/** A server someone else started (`--url`, e.g. Synapse or a Myelin under a profiler); only loopback. */
export async function externalServer(url: string, pid: number | null): Promise<BenchServer> {
  const parsed = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)) throw new Error(`--url must be a loopback address, got ${parsed.hostname}`);
  const baseUrl = parsed.origin;
  await waitUntilReady(baseUrl, 10_000, () => null);
  return { baseUrl, pid, database: "external server (unknown)", databaseUrl: null, workDir: "", logFile: "", logTail: () => "(external server)", databaseBackendPids: async () => [], dispose: async () => {} };
}

function benchConfig(port: number, dataDir: string, postgresUrl: string | null): Record<string, unknown> {
  return {
    server_name: `localhost:${port}`,
    public_baseurl: `http://127.0.0.1:${port}/`,
    listeners: [{ port, bind_address: "127.0.0.1", resources: ["client"] }],
    data_dir: dataDir,
    database: postgresUrl ? { type: "postgres", url: postgresUrl, pool_size: 20 } : { type: "embedded", path: join(dataDir, "db") },
    registration: { enabled: true },
    // Registering thousands of users at the default cost (about 100 ms each) would take minutes of setup.
    password_scrypt_log_n: 10,
    rate_limits: { enabled: false },
    log_level: "warn",
    sync: { max_timeout_ms: 60_000 },
  };
}

interface TemporaryDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `myelin_bench_<random>`; null when no Postgres answers (the caller then runs embedded). */
async function tryCreateDatabase(adminUrl: string): Promise<TemporaryDatabase | null> {
  const host = new URL(adminUrl).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) throw new Error(`MYELIN_BENCH_POSTGRES_URL must be a loopback address, got ${host}`);
  const name = `myelin_bench_${randomBytes(6).toString("hex")}`;
  try {
    await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    console.error(`[bench] Postgres at ${adminUrl} not usable (${(error as Error).message}); using the embedded database`);
    return null;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, async (client) => {
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } catch {
          await client.query(`DROP DATABASE IF EXISTS ${name}`);
        }
      }),
  };
}

async function withAdmin<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (!hasExited()) {
    signalGroup(child, "SIGTERM");
    const timer = new Promise<boolean>((r) => setTimeout(() => r(true), 20_000).unref());
    if (await Promise.race([exited.then(() => false), timer])) {
      signalGroup(child, "SIGKILL");
      await exited;
    }
  }
  signalGroup(child, "SIGKILL");
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function findFreePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error("no free port"))));
    });
  });
}

async function waitUntilReady(baseUrl: string, timeoutMs: number, exitInfo: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = "no answer yet";
  while (Date.now() < deadline) {
    const exited = exitInfo();
    if (exited) throw new Error(`server exited (${exited}) before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      problem = `GET /versions answered ${response.status}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${problem})`);
}
