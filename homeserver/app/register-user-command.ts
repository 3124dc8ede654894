import { loadOrCreateSigningKey } from "../crypto/signing-key.js";
import { migrateToLatest } from "../storage/migrate.js";
import type { Config } from "./config.js";
import { createAppContext } from "./create-app-context.js";
import { silentLogger } from "./logger.js";
import { openConfiguredDatabase } from "./start-server.js";
import { registerUserFromShell } from "./cli-register-user.js";

/** `myelin register-user`: works with the server stopped (embedded) or running (Postgres). */
export async function registerUserFromConfig(config: Config, args: { localpart: string; password: string; admin: boolean }): Promise<string> {
  const database = await openConfiguredDatabase(config, silentLogger);
  try {
    await migrateToLatest(database);
    const { key } = await loadOrCreateSigningKey(config.signing_key_path);
    const ctx = await createAppContext({ config, database, signingKey: key, logger: silentLogger });
    return (await registerUserFromShell(ctx, args)).userId;
  } finally {
    await database.close();
  }
}
