/**
 * Keeps `work` in `map` under `key` until it settles (unless something newer took the key meanwhile), as the
 * promise of its settling, which never rejects: for those who wait for the work to be over, not for its result.
 */
export function holdUntilSettled<K>(map: Map<K, Promise<void>>, key: K, work: Promise<unknown>): Promise<void> {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  map.set(key, settled);
  void settled.then(() => {
    if (map.get(key) === settled) map.delete(key);
  });
  return settled;
}
