import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { generateSigningKey } from "../crypto/signing-key.js";
import { openTestDatabase, type DriverName } from "../storage/test-databases.js";

// Re-exported so route tests in client-api/ and federation/ can run on both drivers without importing storage/.
export { testDrivers, type DriverName } from "../storage/test-databases.js";
import { buildConfig, type Config } from "../core/config.js";
import { createAppContext } from "./create-app-context.js";
import { buildHttpApp } from "./http-app.js";
import { startFederationSender } from "../../federation/sender/index.js";
import type { AppContext } from "./app-context.js";
import { silentLogger } from "../core/logger.js";
import type { Clock } from "../core/clock.js";

export interface TestApp {
  ctx: AppContext;
  http: FastifyInstance;
  dispose(): Promise<void>;
}

/** A whole homeserver over a fresh test database, for service tests and `app.inject()` route tests. */
export async function createTestApp(
  driver: DriverName,
  overrides: Record<string, unknown> = {},
  clock?: Clock,
  options: { federationSender?: boolean } = {},
): Promise<TestApp> {
  // Files a test server writes (uploaded media) go to a folder of its own, never into the checkout.
  const dataDir = mkdtempSync(join(tmpdir(), "myelin-test-data-"));
  const config: Config = buildConfig({
    server_name: "test.local",
    data_dir: dataDir,
    registration: { enabled: true, shared_secret: "test-shared-secret" },
    rate_limits: { enabled: false },
    // Test servers register thousands of users; the cost is covered by passwords.test.ts and register.test.ts.
    password_scrypt_log_n: 10,
    ...overrides,
  });
  const test = await openTestDatabase(driver);
  const ctx = await createAppContext({
    config,
    database: test.database,
    signingKey: generateSigningKey(),
    logger: silentLogger,
    clock,
  });
  const http = buildHttpApp(ctx, { resources: ["client", "federation"] });
  await http.ready();
  const sender = options.federationSender ? await startFederationSender(ctx) : undefined;
  return {
    ctx,
    http,
    dispose: async () => {
      sender?.stop();
      ctx.edus.stop();
      await ctx.pushers.loop.stop();
      await http.close();
      await ctx.federation.close();
      await ctx.outgoingHttp.close();
      await test.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
