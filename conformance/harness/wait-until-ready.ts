const pollIntervalMs = 250;

/**
 * Polls GET /_matrix/client/versions until it answers 200 with JSON.
 * `exitInfo` lets the caller report that the process died, so we fail fast instead of waiting out the timeout.
 */
export async function waitUntilReady(
  baseUrl: string,
  timeoutMs: number,
  exitInfo: () => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    const exited = exitInfo();
    if (exited) throw new Error(`server process exited (${exited}) before it was ready`);
    try {
      const response = await fetch(new URL("/_matrix/client/versions", baseUrl), {
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status === 200) {
        await response.json();
        return;
      }
      lastProblem = `GET /_matrix/client/versions answered ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      lastProblem = describeFetchError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${lastProblem})`);
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch hides the useful part (ECONNREFUSED, ...) in `cause`.
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
