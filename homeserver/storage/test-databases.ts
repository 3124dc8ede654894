import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase, type Database } from "./database.js";
import { migrateToLatest } from "./migrate.js";
import { readPgliteSnapshot } from "./testing/pglite-snapshots.js";

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
    const snapshot = readPgliteSnapshot(migrate ? "migrated" : "empty");
    const database = await openDatabase({ type: "embedded", snapshot });
    // A no-op on the migrated snapshot, but it keeps a snapshot from an older set of migrations honest.
    if (migrate) await migrateToLatest(database);
    if (snapshot && migrate) await warmCatalogCaches(database);
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

/**
 * A database loaded from a snapshot starts with cold catalog caches: the first statement to touch each table
 * loads its description and indexes, and PGlite does that on this thread, blocking it. A freshly migrated
 * database had them warm (the migrations touched every table), and tests with tight timers (a 100 ms sync
 * WebSocket heartbeat) were written against that; planning one statement per table warms them likewise.
 */
async function warmCatalogCaches(database: Database): Promise<void> {
  const tables = await sql<{ name: string }>`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`.execute(database.db);
  for (const { name } of tables.rows) await sql`SELECT * FROM ${sql.raw(name)} LIMIT 0`.execute(database.db);
}
