import { mkdir, readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadOrCreateSigningKey } from "../crypto/signing-key.js";
import { openDatabase, type Database } from "../storage/database.js";
import { migrateToLatest } from "../storage/migrate.js";
import type { Config } from "./config.js";
import { createAppContext } from "./create-app-context.js";
import { buildHttpApp } from "./http-app.js";
import { startFederationSender } from "../../federation/sender/index.js";
import type { AppContext } from "./app-context.js";
import type { Logger } from "./logger.js";

export interface RunningServer {
  ctx: AppContext;
  listeners: FastifyInstance[];
  stop(): Promise<void>;
}

export async function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.database.type === "postgres") {
    logger.info({ pool_size: config.database.pool_size }, "using PostgreSQL");
    return openDatabase({ type: "postgres", url: config.database.url!, poolSize: config.database.pool_size });
  }
  await mkdir(config.database.path, { recursive: true });
  logger.info({ path: config.database.path }, "using the embedded database (PGlite)");
  return openDatabase({ type: "embedded", path: config.database.path });
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
  await mkdir(config.data_dir, { recursive: true });
  const database = await openConfiguredDatabase(config, logger);
  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, "applied database migrations");
  const { key, created } = await loadOrCreateSigningKey(config.signing_key_path);
  if (created) logger.info({ key_id: key.keyId, path: config.signing_key_path }, "generated a new signing key");
  const ctx = await createAppContext({ config, database, signingKey: key, logger });
  const listeners: FastifyInstance[] = [];
  for (const listener of config.listeners) {
    const https = listener.tls
      ? { cert: await readFile(listener.tls.certificate_path), key: await readFile(listener.tls.private_key_path) }
      : undefined;
    const app = buildHttpApp(ctx, { resources: listener.resources, https });
    await app.listen({ port: listener.port, host: listener.bind_address });
    logger.info({ address: `${listener.bind_address}:${listener.port}`, resources: listener.resources, tls: Boolean(https) }, "listening");
    listeners.push(app);
  }
  // Started after the listeners: catching up peers may need them to fetch keys and events back from us.
  const sender = await startFederationSender(ctx);
  if (config.registration.enabled && !config.registration.require_token) {
    logger.warn("registration is open: anyone who can reach this server can create an account");
  }
  return {
    ctx,
    listeners,
    stop: async () => {
      sender.stop();
      ctx.edus.stop();
      for (const app of listeners) await app.close();
      await ctx.federation.close();
      await database.close();
    },
  };
}
