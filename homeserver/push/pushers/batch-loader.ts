import DataLoader from "dataloader";

/** Calls put in one statement at most; more wait for the next. */
const MAX_BATCH = 256;

/**
 * A DataLoader that only batches: every call is its own (no caching across calls). A batch runs once the one
 * before it has finished, and after the current turn's I/O: the calls that arrive meanwhile (gateway answers
 * come back one by one) make the next batch, so its size follows the load instead of the turns.
 */
export function loader<K extends object, V>(batch: (calls: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  let previous: Promise<unknown> = Promise.resolve();
  const run = (calls: readonly K[]) => {
    const running = batch(calls);
    previous = running.catch(() => {});
    return running;
  };
  return new DataLoader<K, V>(run, {
    cache: false,
    maxBatchSize: MAX_BATCH,
    batchScheduleFn: (dispatch) => void previous.then(() => setImmediate(dispatch)),
  });
}
