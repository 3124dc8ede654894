import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Database } from "./database.js";
import * as initialSchema from "./migrations/20261127T1800-initial-schema.js";
import * as users from "./migrations/20261127T1900-users.js";
import * as serverKeyJson from "./migrations/20261128T0900-server-key-json.js";
import * as federationEvents from "./migrations/20261128T1000-federation-events.js";
import * as receipts from "./migrations/20261129T0900-receipts.js";

/**
 * Migrations are listed in code (not read from disk) so they work the same under tsx, bundles and tests.
 * Names start with a UTC timestamp; Kysely applies them in name order and records each once.
 */
const MIGRATIONS: Record<string, Migration> = {
  "20261127T1800-initial-schema": initialSchema,
  "20261127T1900-users": users,
  "20261128T0900-server-key-json": serverKeyJson,
  "20261128T1000-federation-events": federationEvents,
  "20261129T0900-receipts": receipts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
