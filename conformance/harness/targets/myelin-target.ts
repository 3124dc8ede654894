import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { findFreePort } from "../free-port.js";
import { createTemporaryDatabase, type TemporaryDatabase } from "../postgres-database.js";
import { repoRoot } from "../repo-paths.js";
import { ServerProcess } from "../server-process.js";
import type { ServerTarget } from "../server-target.js";

/**
 * Myelin started from source with tsx. With MYELIN_CONFORMANCE_DATABASE_URL set it runs on a fresh Postgres
 * database created for this run; otherwise on the embedded database in `workDir`.
 */
export async function startMyelinTarget(workDir: string): Promise<ServerTarget> {
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = join(workDir, "data");
  await mkdir(dataDir, { recursive: true });

  const adminUrl = process.env.MYELIN_CONFORMANCE_DATABASE_URL;
  const database: TemporaryDatabase | null = adminUrl ? await createTemporaryDatabase(adminUrl) : null;
  const configPath = join(workDir, "homeserver.yaml");
  await writeFile(configPath, stringify(myelinConfig(port, dataDir, database?.url ?? null)));

  const server = new ServerProcess({
    name: "myelin",
    command: join(repoRoot, "node_modules", ".bin", "tsx"),
    args: ["homeserver/app/cli.ts", "start", "--config", configPath],
    cwd: repoRoot,
    logFile: join(workDir, "server.log"),
    baseUrl,
    startupTimeoutMs: 180_000,
  });
  const dispose = async () => {
    await server.stop();
    await database?.drop();
  };
  try {
    await server.start();
  } catch (error) {
    await database?.drop();
    throw error;
  }
  return { name: database ? "myelin (postgres)" : "myelin (embedded)", baseUrl, workDir, process: server, dispose };
}

function myelinConfig(port: number, dataDir: string, postgresUrl: string | null): Record<string, unknown> {
  return {
    server_name: `localhost:${port}`,
    public_baseurl: `http://127.0.0.1:${port}/`,
    listeners: [{ port, bind_address: "127.0.0.1", resources: ["client", "federation"] }],
    data_dir: dataDir,
    database: postgresUrl
      ? { type: "postgres", url: postgresUrl, pool_size: 10 }
      : { type: "embedded", path: join(dataDir, "db") },
    registration: { enabled: true },
    // The guest scenarios register guests (Synapse's config sets allow_guest_access for the same reason).
    guest_access: { enabled: true },
    rate_limits: { enabled: false },
    // The pusher scenario's push gateway listens on loopback (Synapse's config opens it likewise).
    federation: { ip_range_allowlist: ["127.0.0.1/32"] },
    log_level: "warn",
  };
}
