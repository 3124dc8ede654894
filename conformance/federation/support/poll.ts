/**
 * Calls `probe` until it returns a value other than undefined, at most until the deadline; failing, the error
 * carries `describe()`, which should say what was last seen.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  describe: () => string,
  deadlineMs = 90_000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not reached in ${deadlineMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
