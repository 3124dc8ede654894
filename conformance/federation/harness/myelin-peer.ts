import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { findFreePort } from "../../harness/free-port.js";
import { createTemporaryDatabase, type TemporaryDatabase } from "../../harness/postgres-database.js";
import { repoRoot } from "../../harness/repo-paths.js";
import { ServerProcess } from "../../harness/server-process.js";
import type { PeerServer } from "./peer-server.js";
import type { PeerId } from "./provided-context.js";
import { selfSignedCertificate, type CertificateFiles } from "./self-signed-certificate.js";

export interface MyelinPeerOptions {
  id: PeerId;
  /**
   * Serve federation over TLS (self-signed) on the server-name port and the client API on a second, plain
   * http listener; talk https to peers. Needed with Synapse, which always federates over https. Without it one
   * plain-http listener serves both APIs and peers are reached with `allow_insecure_http_for_tests`.
   */
  tls: boolean;
}

/** A federating Myelin named `127.0.0.1:<port>`, started from source with tsx, its files in `workDir`. */
export async function createMyelinPeer(workDir: string, options: MyelinPeerOptions): Promise<PeerServer> {
  const federationPort = await findFreePort();
  const clientPort = options.tls ? await findFreePort() : federationPort;
  const serverName = `127.0.0.1:${federationPort}`;
  const dataDir = join(workDir, "data");
  await mkdir(dataDir, { recursive: true });
  const certificate = options.tls ? await selfSignedCertificate(workDir) : null;

  const adminUrl = process.env.MYELIN_CONFORMANCE_DATABASE_URL;
  const database: TemporaryDatabase | null = adminUrl ? await createTemporaryDatabase(adminUrl) : null;
  const configPath = join(workDir, "homeserver.yaml");
  const config = myelinConfig({ serverName, federationPort, clientPort, dataDir, certificate, postgresUrl: database?.url ?? null });
  await writeFile(configPath, stringify(config));

  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const logFile = join(workDir, "server.log");
  const serverProcess = new ServerProcess({
    name: `myelin ${options.id} (${serverName})`,
    command: join(repoRoot, "node_modules", ".bin", "tsx"),
    args: ["homeserver/app/cli.ts", "start", "--config", configPath],
    cwd: repoRoot,
    logFile,
    baseUrl: clientUrl,
    startupTimeoutMs: 180_000,
  });
  return {
    description: {
      id: options.id,
      kind: "myelin",
      serverName,
      clientUrl,
      federationUrl: `${options.tls ? "https" : "http"}://127.0.0.1:${federationPort}`,
      logFile,
    },
    process: serverProcess,
    cleanup: async () => {
      await database?.drop();
    },
  };
}

interface ConfigInputs {
  serverName: string;
  federationPort: number;
  clientPort: number;
  dataDir: string;
  certificate: CertificateFiles | null;
  postgresUrl: string | null;
}

function myelinConfig(inputs: ConfigInputs): Record<string, unknown> {
  const { certificate } = inputs;
  const listeners = certificate
    ? [
        { port: inputs.clientPort, bind_address: "127.0.0.1", resources: ["client"] },
        {
          port: inputs.federationPort,
          bind_address: "127.0.0.1",
          resources: ["federation"],
          tls: { certificate_path: certificate.certificatePath, private_key_path: certificate.privateKeyPath },
        },
      ]
    : [{ port: inputs.federationPort, bind_address: "127.0.0.1", resources: ["client", "federation"] }];
  return {
    server_name: inputs.serverName,
    public_baseurl: `http://127.0.0.1:${inputs.clientPort}/`,
    listeners,
    data_dir: inputs.dataDir,
    database: inputs.postgresUrl
      ? { type: "postgres", url: inputs.postgresUrl, pool_size: 10 }
      : { type: "embedded", path: join(inputs.dataDir, "db") },
    registration: { enabled: true },
    rate_limits: { enabled: false },
    log_level: process.env.CONFORMANCE_FEDERATION_MYELIN_LOG_LEVEL ?? "info",
    federation: {
      verify_tls: false,
      ip_range_allowlist: ["127.0.0.0/8"],
      allow_insecure_http_for_tests: certificate === null,
      request_timeout_ms: 30_000,
    },
  };
}
