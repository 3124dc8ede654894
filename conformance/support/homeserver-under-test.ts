import { inject } from "vitest";
import "../harness/provided-context.js";

/** Base URL of the homeserver under test (from the global setup). */
export function homeserverUrl(): string {
  return inject("conformanceBaseUrl");
}

/**
 * Stops the homeserver under test and starts it again on the same data; resolves once it answers again.
 * Needs the harness's restart control, which exists only when the harness started the server itself.
 */
export async function restartHomeserver(): Promise<void> {
  const controlUrl = inject("conformanceRestartUrl");
  if (!controlUrl) {
    throw new Error(
      `This scenario must restart the homeserver, which needs the harness's restart control. ` +
        `It exists only when the harness starts the server (CONFORMANCE_TARGET=myelin or synapse); ` +
        `the target "${inject("conformanceTarget")}" has none.`,
    );
  }
  const response = await fetch(controlUrl, { method: "POST" });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`restart of the homeserver failed: ${body.error ?? response.status}`);
  }
}
