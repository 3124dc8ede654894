/**
 * Sets `object[key]` as an own property even when `key` is "__proto__": user and device ids come from
 * clients and peers, and a plain assignment with that key would change the object's prototype instead.
 */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): T {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** `object[key]`, created with `make` when it is not an own property yet. */
export function ownOrSet<T>(object: Record<string, T>, key: string, make: () => T): T {
  return Object.hasOwn(object, key) ? object[key] : setOwn(object, key, make());
}

/** Object.assign, by setOwn. */
export function assignOwn<T>(target: Record<string, T>, source: Record<string, T>): void {
  for (const [key, value] of Object.entries(source)) setOwn(target, key, value);
}
