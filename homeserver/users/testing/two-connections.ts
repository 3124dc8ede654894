import { openDatabase, type Database } from "../../storage/database.js";
import { migrateToLatest } from "../../storage/migrate.js";
import { createTemporaryPostgresDatabase, openTestDatabase, type DriverName } from "../../storage/test-databases.js";

/**
 * One migrated test database seen through two connections, as two Myelin processes over one database see it:
 * on PostgreSQL two pools of their own; embedded, where one process holds the database, one Database shared.
 */
export interface TwoConnections {
  first: Database;
  second: Database;
  dispose(): Promise<void>;
}

export async function openTwoConnections(driver: DriverName): Promise<TwoConnections> {
  if (driver === "embedded") {
    const test = await openTestDatabase(driver);
    return { first: test.database, second: test.database, dispose: test.dispose };
  }
  const temporary = await createTemporaryPostgresDatabase("myelin_uia");
  const first = await openDatabase({ type: "postgres", url: temporary.url, poolSize: 4 });
  await migrateToLatest(first);
  const second = await openDatabase({ type: "postgres", url: temporary.url, poolSize: 4 });
  return {
    first,
    second,
    dispose: async () => {
      await first.close();
      await second.close();
      await temporary.drop();
    },
  };
}
