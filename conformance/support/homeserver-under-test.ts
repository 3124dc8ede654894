import { inject } from "vitest";
import "../harness/provided-context.js";
import type { RestartReport, StopSignal } from "../harness/restart-control.js";

/** Base URL of the homeserver under test (from the global setup). */
export function homeserverUrl(): string {
  return inject("conformanceBaseUrl");
}

/**
 * Stops the homeserver under test and starts it again on the same data; resolves once it answers again.
 * Needs the harness's restart control, which exists only when the harness started the server itself.
 */
export async function restartHomeserver(): Promise<void> {
  await restartHomeserverWith("SIGTERM");
}

/**
 * Crashes the homeserver under test: SIGKILL to its serving process, no chance to flush anything, then starts
 * it again on the same data. Resolves once it answers again, with the time of the kill (Date.now() clock).
 */
export async function crashAndRestartHomeserver(): Promise<{ killedAtMs: number }> {
  const report = await restartHomeserverWith("SIGKILL");
  return { killedAtMs: report.signalled_at_ms };
}

async function restartHomeserverWith(signal: StopSignal): Promise<RestartReport> {
  const controlUrl = inject("conformanceRestartUrl");
  if (!controlUrl) {
    throw new Error(
      `This scenario must restart the homeserver, which needs the harness's restart control. ` +
        `It exists only when the harness starts the server (CONFORMANCE_TARGET=myelin or synapse); ` +
        `the target "${inject("conformanceTarget")}" has none.`,
    );
  }
  const response = await fetch(`${controlUrl}?signal=${signal}`, { method: "POST" });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`restart of the homeserver (${signal}) failed: ${body.error ?? response.status}`);
  }
  return (await response.json()) as RestartReport;
}
