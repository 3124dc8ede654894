import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "./database.js";
import { migrateToLatest } from "./migrate.js";

export type DriverName = "embedded" | "postgres";

/**
 * The drivers every store test runs against: PGlite always; real Postgres when MYELIN_TEST_POSTGRES_URL
 * names a server (CI sets it), so `npm test` still passes on a machine with no database running.
 */
export function testDrivers(): DriverName[] {
  return process.env.MYELIN_TEST_POSTGRES_URL ? ["embedded", "postgres"] : ["embedded"];
}

export interface TestDatabase {
  database: Database;
  dispose(): Promise<void>;
}

/**
 * A migrated, empty database: PGlite in memory, or a fresh Postgres database dropped on dispose.
 * `migrate: false` leaves it empty, for migration tests.
 */
export async function openTestDatabase(driver: DriverName, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  if (driver === "embedded") {
    const database = await openDatabase({ type: "embedded" });
    if (migrate) await migrateToLatest(database);
    return { database, dispose: () => database.close() };
  }
  const temporary = await createTemporaryPostgresDatabase("myelin_test");
  const database = await openDatabase({ type: "postgres", url: temporary.url, poolSize: 10 });
  if (migrate) await migrateToLatest(database);
  return {
    database,
    dispose: async () => {
      await database.close();
      await temporary.drop();
    },
  };
}

/** A new, empty database `<prefix>_<random>` on the PostgreSQL of MYELIN_TEST_POSTGRES_URL, and how to drop it. */
export async function createTemporaryPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.MYELIN_TEST_POSTGRES_URL!;
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
