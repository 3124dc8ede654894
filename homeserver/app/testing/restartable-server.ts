import type { FastifyInstance } from "fastify";
import { buildConfig } from "../../core/config.js";
import { silentLogger } from "../../core/logger.js";
import { generateSigningKey } from "../../crypto/signing-key.js";
import { openTestDatabase, type DriverName } from "../../storage/test-databases.js";
import { createAppContext } from "../../app/create-app-context.js";
import { buildHttpApp } from "../../app/http-app.js";
import type { AppContext } from "../../app/app-context.js";
import { startFederationSender } from "../../../federation/sender/index.js";
import { freePort, LOOPBACK_FEDERATION } from "./loopback-server.js";


export interface RunningServer {
  ctx: AppContext;
  http: FastifyInstance;
}

/**
 * A homeserver on loopback (`127.0.0.1:<port>`, with its federation sender) that can be stopped and started again
 * over the same database, port and signing key: a process restart, or a peer that is down for a while.
 */
export interface RestartableServer {
  name: string;
  /** The running instance; throws while stopped. */
  readonly running: RunningServer;
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function restartableServer(driver: DriverName): Promise<RestartableServer> {
  const port = await freePort();
  const name = `127.0.0.1:${port}`;
  const database = await openTestDatabase(driver);
  const signingKey = generateSigningKey();
  const config = buildConfig({
    server_name: name,
    registration: { enabled: true, shared_secret: "test-shared-secret" },
    rate_limits: { enabled: false },
    password_scrypt_log_n: 10,
    federation: LOOPBACK_FEDERATION,
  });
  let current: (RunningServer & { stop(): Promise<void> }) | undefined;
  const server: RestartableServer = {
    name,
    get running() {
      if (!current) throw new Error(`${name} is stopped`);
      return current;
    },
    async start() {
      if (current) throw new Error(`${name} is already running`);
      const ctx = await createAppContext({ config, database: database.database, signingKey, logger: silentLogger });
      const http = buildHttpApp(ctx, { resources: ["client", "federation"] });
      await http.listen({ port, host: "127.0.0.1" });
      const sender = await startFederationSender(ctx);
      current = {
        ctx,
        http,
        stop: async () => {
          sender.stop();
          ctx.edus.stop();
          await ctx.pushers.loop.stop();
          await http.close();
          await ctx.federation.close();
          await ctx.outgoingHttp.close();
        },
      };
      return current;
    },
    async stop() {
      const running = current;
      current = undefined;
      await running?.stop();
    },
    async dispose() {
      await server.stop();
      await database.dispose();
    },
  };
  return server;
}
