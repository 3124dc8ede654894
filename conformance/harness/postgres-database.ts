import { randomBytes } from "node:crypto";
import pg from "pg";

/** A database created for one conformance run and dropped afterwards. */
export interface TemporaryDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates `myelin_conf_<random>` on the server named by `adminUrl` (any database on it the user may connect to),
 * so runs never see each other's data.
 */
export async function createTemporaryDatabase(adminUrl: string): Promise<TemporaryDatabase> {
  const name = `myelin_conf_${randomBytes(6).toString("hex")}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient(adminUrl, async (client) => {
        // WITH (FORCE) (Postgres 13+) ends connections the server under test may have left open.
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } catch {
          await client.query(`DROP DATABASE IF EXISTS ${name}`);
        }
      }),
  };
}

async function withAdminClient<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
