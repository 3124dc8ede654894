import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { synapseConfig } from "../../synapse/synapse-config.js";
import { findFreePort } from "../../harness/free-port.js";
import { synapsePython } from "../../harness/repo-paths.js";
import { ServerProcess } from "../../harness/server-process.js";
import type { PeerServer } from "./peer-server.js";
import type { PeerId } from "./provided-context.js";
import { selfSignedCertificate } from "./self-signed-certificate.js";

/**
 * Synapse named `127.0.0.1:<port>`. Synapse reaches every peer over https (an IP literal with a port is
 * connected to directly, with TLS), and peers reach it the same way: so its federation listener on the
 * server-name port serves TLS with a self-signed certificate, and the client API has its own http listener.
 */
export async function createSynapsePeer(workDir: string, id: PeerId): Promise<PeerServer> {
  if (!existsSync(synapsePython)) {
    throw new Error(`Synapse is not installed at ${synapsePython}; conformance/federation/run.ts installs it`);
  }
  const federationPort = await findFreePort();
  const clientPort = await findFreePort();
  const serverName = `127.0.0.1:${federationPort}`;
  await mkdir(join(workDir, "media_store"), { recursive: true });
  const certificate = await selfSignedCertificate(workDir);

  const config = {
    ...synapseConfig(workDir, clientPort),
    server_name: serverName,
    public_baseurl: `http://127.0.0.1:${clientPort}/`,
    listeners: [
      {
        port: clientPort,
        bind_addresses: ["127.0.0.1"],
        type: "http",
        tls: false,
        x_forwarded: false,
        resources: [{ names: ["client"], compress: false }],
      },
      {
        port: federationPort,
        bind_addresses: ["127.0.0.1"],
        type: "http",
        tls: true,
        x_forwarded: false,
        resources: [{ names: ["federation"], compress: false }],
      },
    ],
    tls_certificate_path: certificate.certificatePath,
    tls_private_key_path: certificate.privateKeyPath,
    federation_verify_certificates: false,
    // Loopback is on Synapse's default blocklist. The allowlist alone is not enough: for server names that are IP
    // literals Synapse checks the federation blocklist without the allowlist (BlocklistingAgentWrapper in
    // synapse/http/matrixfederationclient.py), so the federation blocklist must be empty.
    ip_range_whitelist: ["127.0.0.0/8"],
    federation_ip_range_blacklist: [],
    // The default first retry after a failed send is 10 minutes: far beyond the downtime scenario's patience.
    federation: {
      destination_min_retry_interval: "2s",
      destination_retry_multiplier: 1.5,
      destination_max_retry_interval: "20s",
    },
  };
  const configPath = join(workDir, "homeserver.yaml");
  await writeFile(configPath, stringify(config));
  await writeFile(join(workDir, "log.config.yaml"), stringify(logConfig()));

  const logFile = join(workDir, "server.log");
  const serverProcess = new ServerProcess({
    name: `synapse ${id} (${serverName})`,
    command: synapsePython,
    args: ["-m", "synapse.app.homeserver", "-c", configPath],
    cwd: workDir,
    logFile,
    baseUrl: `http://127.0.0.1:${clientPort}`,
    startupTimeoutMs: 180_000,
  });
  return {
    description: {
      id,
      kind: "synapse",
      serverName,
      clientUrl: `http://127.0.0.1:${clientPort}`,
      federationUrl: `https://127.0.0.1:${federationPort}`,
      logFile,
    },
    process: serverProcess,
    cleanup: async () => {},
  };
}

/** Warnings and errors, plus Synapse's federation modules at CONFORMANCE_FEDERATION_SYNAPSE_LOG_LEVEL (INFO). */
function logConfig(): Record<string, unknown> {
  const federationLevel = process.env.CONFORMANCE_FEDERATION_SYNAPSE_LOG_LEVEL ?? "INFO";
  return {
    version: 1,
    formatters: { precise: { format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s" } },
    handlers: { console: { class: "logging.StreamHandler", formatter: "precise", stream: "ext://sys.stderr" } },
    loggers: {
      synapse: { level: "WARNING" },
      "synapse.federation": { level: federationLevel },
      "synapse.handlers.federation": { level: federationLevel },
      "synapse.handlers.federation_event": { level: federationLevel },
      "synapse.http.matrixfederationclient": { level: federationLevel },
      "synapse.access.https": { level: federationLevel },
    },
    root: { level: "WARNING", handlers: ["console"] },
    disable_existing_loggers: false,
  };
}
