import { closeSync, fsyncSync, openSync } from "node:fs";
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import { Database } from "./database.js";
import type { Schema } from "./schema.js";

/*
 * Why this file exists (measured on @electric-sql/pglite 0.4.6, see the helper report of issue 13):
 * - PGlite starts Postgres with `-F` (PGlite.defaultStartParams), which is fsync=off: Postgres never asks for
 *   a sync, and `SHOW fsync` answers off.
 * - Even with fsync on, nothing would reach the disk: its Emscripten NODEFS has no stream_ops.fsync, so fsync()
 *   returns 0 having done nothing, and its fdatasync syscall is a stub that returns 0 (Postgres's default
 *   wal_sync_method on Linux). strace counts no fsync/fdatasync at all while commits are acknowledged.
 * So a commit reaches the OS page cache only: safe if Myelin crashes, lost if the OS crashes or power fails.
 * Here the on-disk database starts without `-F`, with wal_sync_method=fsync, and NODEFS gets an fsync that
 * syncs the host file (or directory): each commit's WAL is on disk before the commit returns, and checkpoints
 * sync the data files before WAL is recycled, as in a server Postgres.
 */

/** Syncs one host file descriptor; tests count the calls. */
export type HostSync = (fd: number) => void;

interface EmscriptenNode {
  mode: number;
}
interface EmscriptenStream {
  node: EmscriptenNode;
  nfd?: number;
}
interface EmscriptenModule {
  FS: {
    isDir(mode: number): boolean;
    filesystems: {
      NODEFS: {
        realPath(node: EmscriptenNode): string;
        stream_ops: { fsync?: (stream: EmscriptenStream) => number };
      };
    };
  };
}

/** Gives Emscripten's NODEFS the fsync it lacks: a file's own descriptor, or the directory opened for it. */
function installHostFsync(module: EmscriptenModule, sync: HostSync): void {
  const { FS } = module;
  const nodefs = FS.filesystems.NODEFS;
  nodefs.stream_ops.fsync = (stream) => {
    if (stream.nfd !== undefined) {
      sync(stream.nfd);
    } else if (FS.isDir(stream.node.mode)) {
      // Postgres syncs a directory after creating or renaming files in it (WAL segments, relation files).
      const fd = openSync(nodefs.realPath(stream.node), "r");
      try {
        sync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return 0;
  };
}

/** The on-disk embedded database with every commit synced to disk (database.embedded_fsync, the default). */
export async function openDurableEmbeddedDatabase(path: string, options: { sync?: HostSync } = {}): Promise<Database> {
  const sync = options.sync ?? fsyncSync;
  const { PGlite } = await import("@electric-sql/pglite");
  const { NodeFS } = await import("@electric-sql/pglite/nodefs");
  class SyncedNodeFS extends NodeFS {
    override async init(...args: Parameters<InstanceType<typeof NodeFS>["init"]>) {
      const result = await super.init(...args);
      const preRun = result.emscriptenOpts.preRun ?? [];
      // Before Postgres starts, so that crash recovery's own checkpoint at start-up syncs too.
      result.emscriptenOpts.preRun = [...preRun, (module: unknown) => installHostFsync(module as EmscriptenModule, sync)];
      return result;
    }
  }
  const startParams = [...PGlite.defaultStartParams.filter((param) => param !== "-F"), "-c", "wal_sync_method=fsync"];
  const pglite = new PGlite({ fs: new SyncedNodeFS(path), startParams });
  await pglite.waitReady;
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return new Database(db, "embedded", () => db.destroy());
}
