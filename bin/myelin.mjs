#!/usr/bin/env node
// Runs the TypeScript CLI in this very process through tsx's loader, so `npx myelin ...` works without a build
// step and a signal sent to this process reaches the server itself: a wrapper around a child process is
// killed by SIGTERM and leaves the child running on its own.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Resolved from here, not from the working directory, so the command runs from any directory.
register({ tsconfig: join(root, "tsconfig.json") });
stopWhenOrphanedUnderNpm();
await import(pathToFileURL(join(root, "homeserver/app/cli.ts")).href);

/**
 * npm (`npx myelin`, `npm exec`, `npm run`) starts us under `sh -c` and relays SIGTERM to that shell only,
 * which dies without passing it on. Our parent going away is then the only sign we get: take it as SIGTERM
 * (the CLI shuts down gracefully on it). Not done otherwise, so `nohup myelin start &` keeps running.
 */
function stopWhenOrphanedUnderNpm() {
  if (process.env.npm_command === undefined) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
  }, 500);
  watch.unref();
}
