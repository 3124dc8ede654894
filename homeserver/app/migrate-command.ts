import { migrateToLatest } from "../storage/migrate.js";
import type { Config } from "../core/config.js";
import { DatabaseInUseError } from "./embedded-database-lock.js";
import { silentLogger } from "../core/logger.js";
import { lockDatabaseFor, openConfiguredDatabase } from "./start-server.js";
import { StartupError } from "./startup-error.js";

/** `myelin migrate`: on the embedded database, only while no server holds it (start migrates by itself). */
export async function migrateFromConfig(config: Config): Promise<string[]> {
  let lock;
  try {
    lock = await lockDatabaseFor(config, "migrate");
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error;
    throw new StartupError(`cannot migrate: ${error.message}. Stop the server first; start applies migrations by itself`);
  }
  try {
    const database = await openConfiguredDatabase(config, silentLogger);
    try {
      return await migrateToLatest(database);
    } finally {
      await database.close();
    }
  } finally {
    await lock?.release();
  }
}
