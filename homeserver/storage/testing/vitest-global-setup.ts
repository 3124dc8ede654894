import { SNAPSHOT_DIR_VARIABLE, removePgliteSnapshots, writePgliteSnapshots } from "./pglite-snapshots.js";

/** vitest globalSetup: one pair of PGlite snapshots per test run, removed when the run ends. */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await writePgliteSnapshots();
  process.env[SNAPSHOT_DIR_VARIABLE] = dir;
  return async () => {
    delete process.env[SNAPSHOT_DIR_VARIABLE];
    await removePgliteSnapshots(dir);
  };
}
