import { mkdir, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadOrCreateSigningKey } from "../crypto/signing-key.js";
import { openDatabase, type Database } from "../storage/database.js";
import { openDurableEmbeddedDatabase } from "../storage/durable-embedded-database.js";
import { migrateToLatest } from "../storage/migrate.js";
import type { Config, ListenerConfig } from "../core/config.js";
import { createAppContext } from "./create-app-context.js";
import { buildHttpApp } from "./http-app.js";
import { startFederationSender } from "../../federation/sender/index.js";
import type { AppContext } from "./app-context.js";
import type { Logger } from "../core/logger.js";
import { lockEmbeddedDatabase, type EmbeddedDatabaseLock } from "./embedded-database-lock.js";
import { StartupError } from "./startup-error.js";
import { waitForPostgres } from "./wait-for-postgres.js";

/** Outgoing federation requests still running at shutdown are not waited for longer: the sender resends them. */
const FEDERATION_CLOSE_GRACE_MS = 3_000;

export interface RunningServer {
  ctx: AppContext;
  listeners: FastifyInstance[];
  stop(): Promise<void>;
}

/**
 * Opens the configured database. PostgreSQL is checked with a first connection, retried for `retryMs` (a
 * database container may still be starting), so a server that cannot be reached fails with one line.
 */
export async function openConfiguredDatabase(config: Config, logger: Logger, options: { retryMs?: number } = {}): Promise<Database> {
  if (config.database.type === "postgres") {
    logger.info({ pool_size: config.database.pool_size }, "using PostgreSQL");
    await waitForPostgres(config.database.url!, { retryMs: options.retryMs ?? 0, logger });
    return openDatabase({ type: "postgres", url: config.database.url!, poolSize: config.database.pool_size });
  }
  await mkdir(config.database.path, { recursive: true });
  logger.info({ path: config.database.path }, "using the embedded database (PGlite)");
  if (config.database.embedded_fsync) return openDurableEmbeddedDatabase(config.database.path);
  return openDatabase({ type: "embedded", path: config.database.path });
}

/** The embedded database is one process's: take its lock first (PostgreSQL serves many processes). */
export async function lockDatabaseFor(config: Config, command: string): Promise<EmbeddedDatabaseLock | undefined> {
  if (config.database.type !== "embedded") return undefined;
  await mkdir(dirname(resolve(config.database.path)), { recursive: true });
  return lockEmbeddedDatabase(config.database.path, command);
}

/** Opens storage, applies migrations, loads the signing key and starts every configured listener. */
export async function startServer(config: Config, options: { usingDefaults?: boolean } = {}): Promise<RunningServer> {
  const logger = pino({ level: config.log_level, base: { server: config.server_name } }) as unknown as Logger;
  if (options.usingDefaults) {
    logger.warn(
      "no config file given: running as server_name localhost on port 8008 with data in ./data and OPEN REGISTRATION for local use; " +
        "run `myelin generate-config` to make one",
    );
  }
  // What has been started so far, undone in reverse when a later step fails, so the process can exit.
  const undo: Array<() => unknown> = [];
  try {
    await mkdir(config.data_dir, { recursive: true });
    const lock = await lockDatabaseFor(config, "server");
    if (lock) undo.push(() => lock.release());
    const database = await openConfiguredDatabase(config, logger, { retryMs: config.database.connect_retry_ms });
    undo.push(() => database.close());
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied }, "applied database migrations");
    const { key, created } = await loadOrCreateSigningKey(config.signing_key_path);
    if (created) logger.info({ key_id: key.keyId, path: config.signing_key_path }, "generated a new signing key");
    const ctx = await createAppContext({ config, database, signingKey: key, logger });
    undo.push(() => ctx.edus.stop(), () => ctx.federation.close(), () => ctx.pushers.loop.stop());
    const listeners: FastifyInstance[] = [];
    for (const listener of config.listeners) {
      const https = listener.tls
        ? { cert: await readFile(listener.tls.certificate_path), key: await readFile(listener.tls.private_key_path) }
        : undefined;
      const app = buildHttpApp(ctx, { resources: listener.resources, https });
      undo.push(() => app.close());
      await listen(app, listener);
      logger.info({ address: `${listener.bind_address}:${listener.port}`, resources: listener.resources, tls: Boolean(https) }, "listening");
      listeners.push(app);
    }
    // Started after the listeners: catching up peers may need them to fetch keys and events back from us.
    const sender = await startFederationSender(ctx);
    const cleanup = ctx.deviceFederation.cleanup.start();
    const mediaRetention = ctx.media.retention.start();
    if (config.registration.enabled && !config.registration.require_token) {
      logger.warn("registration is open: anyone who can reach this server can create an account");
    }
    return {
      ctx,
      listeners,
      stop: async () => {
        // Every listener at once: stop accepting, answer parked long-polls, close sync sockets, let the
        // requests in flight finish (their writes commit) and close the connections as they go idle.
        await Promise.all(listeners.map((app) => app.close()));
        sender.stop();
        cleanup.stop();
        mediaRetention.stop();
        ctx.edus.stop();
        // A gateway request in flight is sent again after the restart (the cursor moves only once it is answered).
        await Promise.race([ctx.pushers.loop.stop(), sleep(FEDERATION_CLOSE_GRACE_MS)]);
        await Promise.race([ctx.federation.close(), sleep(FEDERATION_CLOSE_GRACE_MS)]);
        await Promise.race([ctx.outgoingHttp.close(), sleep(FEDERATION_CLOSE_GRACE_MS)]);
        await database.close();
        await lock?.release();
      },
    };
  } catch (error) {
    for (const step of undo.reverse()) await Promise.resolve().then(step).catch(() => {});
    throw error;
  }
}

/** Listens, turning the usual reasons a port cannot be had into one line for the operator. */
async function listen(app: FastifyInstance, listener: ListenerConfig): Promise<void> {
  const where = `port ${listener.port} on ${listener.bind_address}`;
  try {
    await app.listen({ port: listener.port, host: listener.bind_address });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    switch (code) {
      case "EADDRINUSE":
        throw new StartupError(`${where} is already in use (${message}): stop the other process or change listeners[].port`);
      case "EACCES":
        throw new StartupError(`not allowed to listen on ${where} (${message}): ports below 1024 need privileges`);
      case "EADDRNOTAVAIL":
      case "ENOTFOUND":
        throw new StartupError(`cannot listen on ${where} (${message}): ${listener.bind_address} is not an address of this machine`);
      default:
        throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
