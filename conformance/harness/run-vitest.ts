import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./repo-paths.js";

/** Runs the conformance suite against `target` and resolves with vitest's exit code. */
export async function runConformanceSuite(target: string, vitestArgs: string[]): Promise<number> {
  const vitest = join(repoRoot, "node_modules", ".bin", "vitest");
  const child = spawn(vitest, ["run", "--config", "conformance/vitest.config.ts", ...vitestArgs], {
    cwd: repoRoot,
    env: { ...process.env, CONFORMANCE_TARGET: target },
    stdio: "inherit",
  });
  // Ctrl-C reaches vitest through the terminal; SIGTERM is passed on. Either way vitest's teardown stops the server.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  return await new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
