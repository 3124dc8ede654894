import { loadOrCreateSigningKey } from "../crypto/signing-key.js";
import { migrateToLatest } from "../storage/migrate.js";
import type { Config } from "../core/config.js";
import { createAppContext } from "./create-app-context.js";
import { DatabaseInUseError } from "./embedded-database-lock.js";
import { silentLogger } from "../core/logger.js";
import { lockDatabaseFor, openConfiguredDatabase } from "./start-server.js";
import { registerUserFromShell } from "./cli-register-user.js";
import { StartupError } from "./startup-error.js";

/**
 * `myelin register-user`: works while the server runs on PostgreSQL, and on the embedded database only
 * while the server is stopped: PGlite is one process's, and an account written by a second process would
 * never be seen by the server. That case is refused (the server holds the database's lock).
 */
export async function registerUserFromConfig(config: Config, args: { localpart: string; password: string; admin: boolean }): Promise<string> {
  let lock;
  try {
    lock = await lockDatabaseFor(config, "register-user");
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error;
    throw new StartupError(
      `cannot register a user: ${error.message}. Either stop the server and run register-user again, ` +
        "or register through the running server: the shared-secret registration API (POST /_synapse/admin/v1/register " +
        "with registration.shared_secret set), or open registration with a token; on PostgreSQL (database.type: postgres) " +
        "register-user works while the server runs",
    );
  }
  try {
    const database = await openConfiguredDatabase(config, silentLogger);
    try {
      await migrateToLatest(database);
      const { key } = await loadOrCreateSigningKey(config.signing_key_path);
      const ctx = await createAppContext({ config, database, signingKey: key, logger: silentLogger });
      return (await registerUserFromShell(ctx, args)).userId;
    } finally {
      await database.close();
    }
  } finally {
    await lock?.release();
  }
}
